using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>
/// The whole run: end-to-end throughput of the three set-ups, alternated round by round on the same machine,
/// then the takeover of a killed instance. Every instance is a child process; the stand-in playing Scenario
/// and the load client run in this process, the same for every set-up.
/// </summary>
internal static class ScaleOutRun
{
    private const string Body = """{"portfolio":"EQ-1","quantity":3,"durationMs":0}""";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromMinutes(5);

    private sealed record Setup(string Key, string Label, string Storage, int Instances);

    private static readonly Setup[] AllSetups =
    [
        new("inmemory-1", "InMemory, 1 instance", "inmemory", 1),
        new("postgres-1", "PostgreSQL, 1 instance", "postgres", 1),
        new("postgres-2", "PostgreSQL, 2 instances", "postgres", 2),
    ];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var report = new StringBuilder();
        void Say(string line = "")
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var completions = new CompletionCounter();
        await using var scenario = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { OnStatusReceived = completions.OnStatus });
        await using var postgres = await ThrowawayPostgres.StartAsync(options.Postgres);

        Say("## Scale-out benchmark");
        Say();
        Say($"Machine: {Machine.Describe()}.");
        Say($"PostgreSQL: {postgres.Description}.");
        Say($"Storage options (the sample's): {PostgresStorageSettings.Describe(PostgresStorageSettings.Create())}.");
        Say(string.Create(Invariant, $"Throughput: {options.Tasks} tasks per measurement after {options.WarmupTasks} warm-up, {options.Concurrency} RestCalls in flight spread over the instances in turn, "
            + $"Hangfire workers per instance: {(options.Workers is { } w ? w.ToString(Invariant) : $"default ({Math.Min(Environment.ProcessorCount * 5, 20)})")}, {options.Rounds} rounds; every instance a process of its own."));
        Say();

        var setups = AllSetups.Where(setup => options.Setups.Contains(setup.Key)).ToArray();
        var results = setups.ToDictionary(s => s, _ => new List<Throughput>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var setup in setups)
            {
                var perSecond = await MeasureThroughputAsync(setup, options, scenario, completions, postgres);
                results[setup].Add(perSecond);
                Console.Error.WriteLine(string.Create(Invariant, $"round {round}: {setup.Label}: {perSecond.PerSecond:0.0} completions/s, {perSecond.InstanceCpuMsPerTask:0.0} ms instance CPU per task, machine {perSecond.MachineBusy:P0} busy"));
            }
        }

        Say("### End-to-end completions per second (RestCall accepted → Completed received by the stand-in)");
        Say();
        Say("| set-up | completions/s (median) | per round | instances' CPU per task (median) | machine CPU busy (median) |");
        Say("| --- | ---: | --- | ---: | ---: |");
        foreach (var setup in setups)
        {
            var runs = results[setup];
            Say(string.Create(Invariant, $"| {setup.Label} | {Median(runs.Select(r => r.PerSecond)):0} | {string.Join(" / ", runs.Select(r => r.PerSecond.ToString("0", Invariant)))} | {Median(runs.Select(r => r.InstanceCpuMsPerTask)):0.0} ms | {Median(runs.Select(r => r.MachineBusy)):P0} |"));
        }

        Say();
        if (options.TakeoverRounds > 0)
        {
            Say(string.Create(Invariant, $"### Takeover of a killed instance ({options.TakeoverTasks} tasks of {options.TakeoverWork.TotalSeconds:0} s running on it, kill -9, a second instance running)"));
            Say();
            Say("| round | kill → work restarted on the survivor (min / median / max) | kill → all completed | terminal statuses per task |");
            Say("| ---: | --- | ---: | --- |");
            for (var round = 1; round <= options.TakeoverRounds; round++)
            {
                var takeover = await MeasureTakeoverAsync(options, scenario, postgres);
                Say(string.Create(Invariant, $"| {round} | {takeover.Restarts.Min().TotalSeconds:0.0} s / {Median(takeover.Restarts.Select(r => r.TotalSeconds)):0.0} s / {takeover.Restarts.Max().TotalSeconds:0.0} s | {takeover.AllCompleted.TotalSeconds:0.0} s | {takeover.TerminalCounts} |"));
            }

            Say();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        await File.WriteAllTextAsync(options.Output, report.ToString());
        Console.Error.WriteLine($"Written to {Path.GetFullPath(options.Output)}");
        return 0;
    }

    /// <summary>One measurement: the rate, the instances' own CPU per task, and how busy the whole machine was meanwhile.</summary>
    private sealed record Throughput(double PerSecond, double InstanceCpuMsPerTask, double MachineBusy);

    private static async Task<Throughput> MeasureThroughputAsync(Setup setup, BenchOptions options, ScenarioStandIn scenario, CompletionCounter completions, ThrowawayPostgres postgres)
    {
        var connectionString = setup.Storage == "postgres" ? await postgres.CreateDatabaseAsync() : null;
        var instances = new List<InstanceProcess>();
        try
        {
            // One after another: the first prepares the schema, the next finds it ready.
            for (var i = 0; i < setup.Instances; i++)
            {
                instances.Add(await InstanceProcess.StartAsync($"bench-{i + 1}", setup.Storage, connectionString, scenario.BaseUrl, scenario.ApiKey, options.Workers));
            }

            var urls = instances.Select(instance => instance.WorkUrl).ToArray();
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

            var warmedUp = completions.Restart(options.WarmupTasks);
            await SendAsync(client, urls, options.WarmupTasks, options.Concurrency);
            await warmedUp.WaitAsync(CompletionTimeout);

            var done = completions.Restart(options.Tasks);
            var cpuBefore = instances.Sum(instance => instance.CpuTime.TotalMilliseconds);
            var machineBefore = Machine.CpuTicks();
            var started = Stopwatch.GetTimestamp();
            await SendAsync(client, urls, options.Tasks, options.Concurrency);
            await done.WaitAsync(CompletionTimeout);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var machineAfter = Machine.CpuTicks();
            var cpuMs = instances.Sum(instance => instance.CpuTime.TotalMilliseconds) - cpuBefore;
            var busy = machineAfter.Total == machineBefore.Total ? double.NaN
                : (double)(machineAfter.Busy - machineBefore.Busy) / (machineAfter.Total - machineBefore.Total);
            return new Throughput(options.Tasks / elapsed.TotalSeconds, cpuMs / options.Tasks, busy);
        }
        finally
        {
            instances.ForEach(instance => instance.Dispose());
        }
    }

    /// <summary>Posts <paramref name="count"/> RestCalls, each with a new task id, to the instances in turn.</summary>
    private static async Task SendAsync(HttpClient client, Uri[] urls, int count, int concurrency)
    {
        var next = -1;
        async Task SenderAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, urls[index % urls.Length])
                {
                    Content = new StringContent(Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation(ScenarioRestCall.TaskInstanceIdHeaderName, Guid.NewGuid().ToString("D"));
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"A RestCall was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => SenderAsync()));
    }

    private sealed record Takeover(IReadOnlyList<TimeSpan> Restarts, TimeSpan AllCompleted, string TerminalCounts);

    private static async Task<Takeover> MeasureTakeoverAsync(BenchOptions options, ScenarioStandIn scenario, ThrowawayPostgres postgres)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        scenario.Reset();
        using var victim = await InstanceProcess.StartAsync("victim", "postgres", connectionString, scenario.BaseUrl, scenario.ApiKey, options.TakeoverTasks + 2);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var restCall = new ScenarioRestCall(client);

        var taskIds = new List<string>();
        for (var i = 0; i < options.TakeoverTasks; i++)
        {
            var response = await restCall.PostAsync(victim.WorkUrl.ToString(), new { portfolio = $"EQ-{i}", quantity = 1, durationMs = (int)options.TakeoverWork.TotalMilliseconds });
            taskIds.Add(response.StatusCode == HttpStatusCode.Accepted ? response.TaskInstanceId : throw new InvalidOperationException($"Not accepted: {response.StatusCode} {response.Body}"));
        }

        // Each task reports 0 % as it starts: all run on the victim, the only instance so far.
        await scenario.WaitForStatusesAsync(statuses => taskIds.All(id => statuses.Any(s => s.TaskInstanceId == id && s.ProgressPercentage == 0)), TimeSpan.FromSeconds(60));
        using var survivor = await InstanceProcess.StartAsync("survivor", "postgres", connectionString, scenario.BaseUrl, scenario.ApiKey, options.TakeoverTasks + 2);

        var killedAt = DateTimeOffset.UtcNow;
        victim.Kill();
        await scenario.WaitForStatusesAsync(statuses => taskIds.All(id => statuses.Any(s => s.TaskInstanceId == id && s.IsTerminal)), TimeSpan.FromMinutes(5));
        var completedAt = scenario.Statuses.Where(s => s.IsTerminal).Max(s => s.ReceivedAt);

        var restarts = taskIds
            .Select(id => scenario.StatusesFor(id).First(s => s.ReceivedAt > killedAt && s.ProgressPercentage == 0).ReceivedAt - killedAt)
            .ToList();
        var terminalCounts = taskIds.Select(id => scenario.StatusesFor(id).Count(s => s.IsTerminal)).ToList();
        var counts = terminalCounts.All(c => c == 1) ? "exactly 1 for each" : string.Join(", ", terminalCounts);
        return new Takeover(restarts, completedAt - killedAt, counts);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
