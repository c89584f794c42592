using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Hangfire.InMemory;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.Postgres;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Benchmarks.SideBySide;

/// <summary>
/// Like for like in one process and one host (issue 22, item 3): the hand-written Hangfire controller, the library's
/// MVC action and its minimal-API endpoint behind three routes of the same host, on the same storage and the same
/// Hangfire server, the entries alternated within each round (each round starts with a different one). Per entry and
/// round: accepts/s and CPU per accept (no Hangfire server), completions/s and CPU per completed task (the process's
/// CPU time over the tasks: client, receiver and stand-in together, the same for every entry). On PostgreSQL, a burst
/// of concurrent RestCalls after an idle period: time to the first answer and to the slowest.
/// <code>dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- side-by-side --storage postgres --rounds 3 --idle-seconds 60</code>
/// </summary>
internal static class SideBySideBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = SideBySideOptions.Parse(args);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var counter = new CompletionCounter();
        await using var scenario = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { OnStatusReceived = counter.OnStatus });
        await using var postgres = options.Storage == LoadStorage.Postgres ? await LoadPostgres.StartAsync() : null;

        Say($"## Side by side in one host ({(postgres is null ? "Hangfire.InMemory, the in-memory task store" : "Hangfire.PostgreSql, the PostgreSQL task store")})");
        Say(string.Empty);
        Say(LoadBenchmark.Machine());
        Say(string.Empty);
        Say(string.Create(Invariant, $"Command: side-by-side {string.Join(' ', args)}. Load average (1 min) at the start: {LoadBenchmark.LoadAverage()}. "
            + $"{options.Rounds} rounds; accepts: concurrency {options.Concurrency}, {options.Warmup.TotalSeconds:0} s warm-up + {options.Measure.TotalSeconds:0} s measured per entry; "
            + $"end to end: {options.Tasks} tasks per entry and round ({options.WarmupTasks} warm-up), {options.WorkerCount} Hangfire workers."));
        if (postgres is not null)
        {
            Say(string.Empty);
            Say($"PostgreSQL: {postgres.Description}");
        }

        Say(string.Empty);
        var total = Stopwatch.StartNew();
        var entries = options.Entries;
        var accepts = entries.ToDictionary(e => e, _ => new List<LoadResult>());
        var completions = entries.ToDictionary(e => e, _ => new List<Completion>());

        // One unmeasured pass: the JIT compiles every entry's code before any round counts.
        await MeasureRoundAsync(options with { Measure = TimeSpan.FromSeconds(1), Tasks = options.WarmupTasks }, scenario, counter, postgres, round: 0, null, null);
        for (var round = 0; round < options.Rounds; round++)
        {
            await MeasureRoundAsync(options, scenario, counter, postgres, round, accepts, completions);
        }

        Say("| entry | accepts/s (median) | per round | CPU µs/accept | completions/s (median) | per round | CPU µs/completed task | Error statuses |");
        Say("| --- | ---: | --- | ---: | ---: | --- | ---: | ---: |");
        foreach (var entry in entries)
        {
            var a = accepts[entry];
            var c = completions[entry];
            Say(string.Create(Invariant, $"| {entry.Label()} | {LoadBenchmark.Median(a.Select(r => r.AcceptsPerSecond)):0} | {Join(a.Select(r => r.AcceptsPerSecond), "0")} | {LoadBenchmark.Median(a.Select(r => r.CpuMicrosecondsPerRequest)):0} | "
                + $"{LoadBenchmark.Median(c.Select(r => r.PerSecond)):0} | {Join(c.Select(r => r.PerSecond), "0")} | {LoadBenchmark.Median(c.Select(r => r.CpuMicrosecondsPerTask)):0} | {c.Sum(r => r.Errors)} |"));
        }

        Say(string.Empty);
        Say("Ratios against the hand-written entry: per round (the entries ran back to back in the same host), then the median over the rounds.");
        Say(string.Empty);
        Say("| ratio | median | per round | target |");
        Say("| --- | ---: | --- | --- |");
        foreach (var entry in new[] { SideBySideEntry.Mvc, SideBySideEntry.MinimalApi }.Where(e => entries.Contains(e) && entries.Contains(SideBySideEntry.HandWritten)))
        {
            var letter = entry == SideBySideEntry.Mvc ? "(c)" : "(m)";
            Ratio($"accepts/s {letter}/(b)", accepts[entry].Select(r => r.AcceptsPerSecond), accepts[SideBySideEntry.HandWritten].Select(r => r.AcceptsPerSecond), "≥ 0.9 (goal 0.95)");
            Ratio($"completions/s {letter}/(b)", completions[entry].Select(r => r.PerSecond), completions[SideBySideEntry.HandWritten].Select(r => r.PerSecond), "≥ 0.9 (goal 0.95)");
            Ratio($"CPU per accept {letter}/(b)", accepts[entry].Select(r => r.CpuMicrosecondsPerRequest), accepts[SideBySideEntry.HandWritten].Select(r => r.CpuMicrosecondsPerRequest), "(context)");
            Ratio($"CPU per completed task {letter}/(b)", completions[entry].Select(r => r.CpuMicrosecondsPerTask), completions[SideBySideEntry.HandWritten].Select(r => r.CpuMicrosecondsPerTask), "≤ 1.1");
        }

        void Ratio(string name, IEnumerable<double> over, IEnumerable<double> under, string target)
        {
            var perRound = over.Zip(under, (o, u) => o / u).ToArray();
            Say(string.Create(Invariant, $"| {name} | {LoadBenchmark.Median(perRound):0.00} | {Join(perRound, "0.00")} | {target} |"));
        }

        if (postgres is not null && options.Idle > TimeSpan.Zero)
        {
            Say(string.Empty);
            Say(string.Create(Invariant, $"A burst of {options.Burst} concurrent RestCalls (fresh connections) after {options.Idle.TotalSeconds:0} s with no request, per entry, one host with its Hangfire server on, {Environment.ProcessorCount} cores:"));
            Say(string.Empty);
            Say("| entry | first answer ms | slowest answer ms | answered 202 | thread pool threads before → after |");
            Say("| --- | ---: | ---: | ---: | --- |");
            foreach (var line in await MeasureBurstsAsync(options, scenario, counter, postgres))
            {
                Say(line);
            }
        }

        Say(string.Empty);
        Say(string.Create(Invariant, $"Load average (1 min) at the end: {LoadBenchmark.LoadAverage()}; total run {total.Elapsed.TotalSeconds:0} s."));
        var output = options.Output ?? Path.Combine("BenchmarkDotNet.Artifacts", $"side-by-side-{(postgres is null ? "inmemory" : "postgres")}.md");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, report.ToString());
        Console.WriteLine($"Written to {Path.GetFullPath(output)}");
        return 0;
    }

    /// <summary>One round: a fresh storage and host without a Hangfire server for the accepts, then a fresh one with a server for the completions.</summary>
    private static async Task MeasureRoundAsync(
        SideBySideOptions options, ScenarioStandIn scenario, CompletionCounter counter, LoadPostgres? postgres, int round,
        Dictionary<SideBySideEntry, List<LoadResult>>? accepts, Dictionary<SideBySideEntry, List<Completion>>? completions)
    {
        var order = Rotate(options.Entries, round);
        await using (var host = await StartHostAsync(runJobs: false, options, scenario, postgres))
        {
            foreach (var entry in order)
            {
                using var client = new LoadClient(options.Concurrency);
                await client.RunAsync(host.UrlOf(entry), options.Warmup, int.MaxValue);
                LoadBenchmark.Collect();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var result = await client.RunAsync(host.UrlOf(entry), options.Measure, int.MaxValue);
                result = result with { CpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore };
                accepts?[entry].Add(result);
                Console.WriteLine(string.Create(Invariant, $"accept round {round + 1} {entry.Label()}: {result.AcceptsPerSecond:0}/s, {result.CpuMicrosecondsPerRequest:0} µs CPU/accept, failed {result.Failed}, load average {LoadBenchmark.LoadAverage()}"));
            }
        }

        await using (var host = await StartHostAsync(runJobs: true, options, scenario, postgres))
        {
            foreach (var entry in order)
            {
                using var client = new LoadClient(options.Concurrency);
                var warm = counter.Restart(options.WarmupTasks);
                await client.RunAsync(host.UrlOf(entry), options.Timeout, options.WarmupTasks);
                await warm.WaitAsync(options.Timeout);
                scenario.Reset();
                LoadBenchmark.Collect();

                var done = counter.Restart(options.Tasks);
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var started = Stopwatch.GetTimestamp();
                var sent = await client.RunAsync(host.UrlOf(entry), options.Timeout, options.Tasks);
                if (sent.Accepted != options.Tasks)
                {
                    throw new InvalidOperationException($"{entry.Label()}: {sent.Accepted} of {options.Tasks} tasks accepted ({sent.Failed} failed).");
                }

                await done.WaitAsync(options.Timeout);
                var result = new Completion(options.Tasks / Stopwatch.GetElapsedTime(started).TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / options.Tasks, counter.Errors);
                completions?[entry].Add(result);
                scenario.Reset();
                Console.WriteLine(string.Create(Invariant, $"end-to-end round {round + 1} {entry.Label()}: {result.PerSecond:0}/s, {result.CpuMicrosecondsPerTask:0} µs CPU/task, {result.Errors} Error statuses, load average {LoadBenchmark.LoadAverage()}"));
            }
        }
    }

    /// <summary>
    /// Per entry: warm (tasks run to completion), then no request for the idle period (the thread pool retires the
    /// threads it no longer needs, pooled connections age), then <see cref="SideBySideOptions.Burst"/> RestCalls at once
    /// on fresh connections: when the first and the last were answered.
    /// </summary>
    private static async Task<List<string>> MeasureBurstsAsync(SideBySideOptions options, ScenarioStandIn scenario, CompletionCounter counter, LoadPostgres postgres)
    {
        var lines = new List<string>();
        await using var host = await StartHostAsync(runJobs: true, options, scenario, postgres);
        foreach (var entry in options.Entries)
        {
            using (var client = new LoadClient(options.Concurrency))
            {
                var warm = counter.Restart(options.WarmupTasks);
                await client.RunAsync(host.UrlOf(entry), options.Timeout, options.WarmupTasks);
                await warm.WaitAsync(options.Timeout);
            }

            scenario.Reset();
            Console.WriteLine(string.Create(Invariant, $"burst {entry.Label()}: idle {options.Idle.TotalSeconds:0} s…"));
            await Task.Delay(options.Idle);
            var threadsBefore = ThreadPool.ThreadCount;
            var done = counter.Restart(options.Burst);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var started = Stopwatch.GetTimestamp();
            var answers = await Task.WhenAll(Enumerable.Range(0, options.Burst).Select(async _ =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, host.UrlOf(entry))
                {
                    Content = new StringContent(PricingWork.RequestBody, Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("X-Scenario-TaskInstanceId", Guid.NewGuid().ToString("D"));
                request.Headers.TryAddWithoutValidation("X-Scenario-WorkflowInstanceId", "wf-bench");
                using var response = await http.SendAsync(request);
                return (Elapsed: Stopwatch.GetElapsedTime(started), response.StatusCode);
            }));
            var threadsAfter = ThreadPool.ThreadCount;
            await done.WaitAsync(options.Timeout);
            var line = string.Create(Invariant, $"| {entry.Label()} | {answers.Min(a => a.Elapsed).TotalMilliseconds:0} | {answers.Max(a => a.Elapsed).TotalMilliseconds:0} | {answers.Count(a => a.StatusCode == HttpStatusCode.Accepted)} of {options.Burst} | {threadsBefore} → {threadsAfter} |");
            Console.WriteLine(line);
            lines.Add(line);
        }

        return lines;
    }

    private static Task<SideBySideHost> StartHostAsync(bool runJobs, SideBySideOptions options, ScenarioStandIn scenario, LoadPostgres? postgres)
    {
        var storage = postgres is null ? new InMemoryStorage() : postgres.CreateStorage();
        return SideBySideHost.StartAsync(runJobs, scenario.BaseUrl, scenario.ApiKey, options.WorkerCount, storage, postgres?.TaskStoreFor(storage));
    }

    private static IEnumerable<SideBySideEntry> Rotate(SideBySideEntry[] entries, int round)
        => Enumerable.Range(0, entries.Length).Select(i => entries[(i + round) % entries.Length]);

    private static string Join(IEnumerable<double> values, string format) => string.Join(" / ", values.Select(v => v.ToString(format, Invariant)));

    private sealed record Completion(double PerSecond, double CpuMicrosecondsPerTask, int Errors);
}
