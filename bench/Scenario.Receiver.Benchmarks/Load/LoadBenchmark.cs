using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using Hangfire;
using Scenario.Receiver.Benchmarks.Postgres;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// The three variants against real Kestrel servers on loopback, in one run, alternated round by round:
/// accepted requests per second and latency at a fixed concurrency (no Hangfire server: the request path
/// alone), end-to-end completions per second (Hangfire server on, until every task is reported to the
/// stand-in), and memory per pending task (child processes, no Hangfire server). With <c>--storage postgres</c>,
/// (b) and (c) run on Hangfire.PostgreSql (a throwaway server, a fresh schema per host) and the statements and
/// commits per task are counted beside the rates; memory stays an InMemory measurement.
/// </summary>
/// <remarks>
/// The servers run in this process, one WebApplication per variant, started fresh for each measurement and
/// stopped after it, so only one is ever under load and each starts on an empty storage; they share the
/// runtime, JIT, GC settings and the load client, which therefore cost every variant the same. Hangfire
/// is registered per host without static state. Memory is measured in child processes, because a working
/// set cannot be split between hosts that share a process.
/// </remarks>
internal static class LoadBenchmark
{
    /// <summary>Every exception thrown in this process, caught or not: the end-to-end phase reports them per task.</summary>
    private static long _firstChanceExceptions;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref _firstChanceExceptions);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var counter = new CompletionCounter();
        await using var scenario = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { OnStatusReceived = counter.OnStatus });
        await using var postgres = options.Storage == LoadStorage.Postgres ? await LoadPostgres.StartAsync() : null;

        // Memory per pending task is a working set and heap of InMemory jobs; on PostgreSQL the jobs are in the server.
        var measureMemory = options.Phases.Contains("memory") && postgres is null;

        Say("## Load benchmark");
        Say(string.Empty);
        Say(Machine());
        Say(string.Empty);
        Say($"Load average (1 min) at the start: {LoadAverage()} (the machine is shared; each round's is in the console log).");
        Say(string.Empty);
        Say(string.Create(Invariant, $"Concurrency {options.Concurrency}, {options.Rounds} rounds, warm-up {options.Warmup.TotalSeconds:0} s + {options.Measure.TotalSeconds:0} s measured per variant and round; "
            + $"end to end {options.EndToEndTasks} tasks per round ({options.EndToEndWarmupTasks} warm-up), {options.WorkerCount} Hangfire workers; "
            + $"memory {options.MemoryTasks} pending tasks, {options.MemoryRounds} rounds."));
        Say(string.Empty);
        if (postgres is not null)
        {
            Say($"Storage of (b) and (c): PostgreSQL, {postgres.Description} A fresh schema per host; the memory phase is InMemory only and not run.");
        }

        Say(options.GenericTaskStore
            ? "(c)'s task records: the generic store, in Hangfire's hashes, sets and distributed locks (--task-store hangfire)."
            : postgres is not null
                ? "(c)'s task records: the PostgreSQL task store, a table in the host's schema (Scenario:TaskStore, as the sample configures it)."
                : "(c)'s task records: the in-memory task store, which the receiver chooses on Hangfire.InMemory.");
        Say(string.Empty);

        var total = Stopwatch.StartNew();
        var acceptTrips = new Dictionary<Variant, List<RoundTrips>>();
        var completionTrips = new Dictionary<Variant, List<RoundTrips>>();
        var accepts = options.Phases.Contains("accept") ? await MeasureAcceptsAsync(options, scenario, postgres, acceptTrips) : [];
        var endToEnd = options.Phases.Contains("e2e") ? await MeasureEndToEndAsync(options, scenario, counter, postgres, completionTrips) : [];
        var memory = measureMemory ? await MeasureMemoryAsync(options) : [];
        var memoryParts = measureMemory ? await MemoryParts.RunChildAsync(options.MemoryTasks) : [];

        Say("### Accepted requests per second (no Hangfire server: the request path alone)");
        Say(string.Empty);
        Say("| variant | accepts/s (median) | per round | p50 ms | p99 ms | CPU µs/request (process, client included) | failed |");
        Say("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
        foreach (var (variant, runs) in accepts)
        {
            Say(string.Create(Invariant, $"| {variant.Label()} | {Median(runs.Select(r => r.AcceptsPerSecond)):0} | {string.Join(" / ", runs.Select(r => r.AcceptsPerSecond.ToString("0", Invariant)))} | {Median(runs.Select(r => r.P50Ms)):0.00} | {Median(runs.Select(r => r.P99Ms)):0.00} | {Median(runs.Select(r => r.CpuMicrosecondsPerRequest)):0.0} | {runs.Sum(r => r.Failed)} |"));
        }

        Say(string.Empty);
        Say("### End-to-end completions per second (Hangfire server on, until all tasks are reported to the stand-in)");
        Say(string.Empty);
        Say("| variant | completions/s (median) | per round | seconds for all (median) | CPU µs/task (process: client, receiver, stand-in) | exceptions thrown/task |");
        Say("| --- | ---: | --- | ---: | ---: | ---: |");
        foreach (var (variant, runs) in endToEnd)
        {
            Say(string.Create(Invariant, $"| {variant.Label()} | {Median(runs.Select(r => r.PerSecond)):0} | {string.Join(" / ", runs.Select(r => r.PerSecond.ToString("0", Invariant)))} | {Median(runs.Select(r => r.Elapsed.TotalSeconds)):0.00} | {Median(runs.Select(r => r.CpuMicrosecondsPerTask)):0} | {Median(runs.Select(r => r.ExceptionsPerTask)):0.00} |"));
        }

        if (postgres is not null)
        {
            Say(string.Empty);
            Say("### Round trips per task on PostgreSQL");
            Say(string.Empty);
            Say("Counted on the run's database over each host's life after its schema was created, until it stopped: per accepted request (warm-up and");
            Say("measured, no Hangfire server) and per completed task (warm-up and measured; the Hangfire server's start, polling and stop included).");
            Say("Statements: pg_stat_statements calls of the statements the client sent (top level; BEGIN, COMMIT and Npgsql's DISCARD ALL on a reused");
            Say("pooled connection included, though Npgsql sends those in one batch with the next command); commits: pg_stat_database xact_commit,");
            Say("a lone statement outside a transaction counting as one.");
            Say("Median over the rounds.");
            Say(string.Empty);
            Say("| variant | statements/accept | commits/accept | statements/completion | commits/completion |");
            Say("| --- | ---: | ---: | ---: | ---: |");
            foreach (var variant in new[] { Variant.HandWritten, Variant.Library }.Where(v => acceptTrips.ContainsKey(v) || completionTrips.ContainsKey(v)))
            {
                Say($"| {variant.Label()} | {PerTask(acceptTrips, variant, t => t.StatementsPerTask)} | {PerTask(acceptTrips, variant, t => t.CommitsPerTask)} | {PerTask(completionTrips, variant, t => t.StatementsPerTask)} | {PerTask(completionTrips, variant, t => t.CommitsPerTask)} |");
            }

            // Where the statements come from, for whoever removes them: the last round's most frequent ones.
            foreach (var (phase, trips) in new[] { ("accepted", acceptTrips), ("completed", completionTrips) })
            {
                foreach (var (variant, rounds) in trips.Where(t => t.Value.Count > 0 && t.Value[^1].TopStatements.Count > 0).OrderBy(t => t.Key))
                {
                    Say(string.Empty);
                    Say($"The most frequent statements per {phase} task, {variant.Label()}, last round:");
                    Say(string.Empty);
                    Say("| calls per task | sent by | statement |");
                    Say("| ---: | --- | --- |");
                    foreach (var statement in rounds[^1].TopStatements)
                    {
                        Say(string.Create(Invariant, $"| {statement.PerTask:0.00} | {(statement.TopLevel ? "client" : "server (nested)")} | `{Abbreviate(statement.Query)}` |"));
                    }
                }
            }
        }

        Say(string.Empty);
        if (postgres is null)
        {
            Say("### Memory per pending task (no Hangfire server, child process per probe, after a full compacting GC)");
            Say(string.Empty);
            Say("| variant | GC heap bytes/task (median) | working set bytes/task (median) | pending jobs in storage |");
            Say("| --- | ---: | ---: | ---: |");
            foreach (var (variant, samples) in memory)
            {
                Say(string.Create(Invariant, $"| {variant.Label()} | {Median(samples.Select(s => s.HeapBytesPerTask)):0} | {Median(samples.Select(s => s.WorkingSetBytesPerTask)):0} | {samples[0].PendingJobs} for {samples[0].Accepted} tasks |"));
            }
        }
        else
        {
            Say("Memory per pending task: not measured on PostgreSQL (the jobs live in the server); run without --storage for it.");
        }

        if (memoryParts.Count > 0)
        {
            Say(string.Empty);
            Say(string.Create(Invariant, $"What each part weighs, measured apart ({options.MemoryTasks} of each on InMemory storage, no HTTP; the calls TaskAcceptor makes):"));
            Say(string.Empty);
            Say("| part | GC heap bytes each |");
            Say("| --- | ---: |");
            foreach (var (part, bytes) in memoryParts)
            {
                Say(string.Create(Invariant, $"| {part} | {bytes:0} |"));
            }
        }

        // A phase left out gives NaN.
        double AcceptsOf(Variant v) => accepts.TryGetValue(v, out var runs) ? Median(runs.Select(r => r.AcceptsPerSecond)) : double.NaN;
        double BareCpu() => accepts.TryGetValue(Variant.Bare, out var runs) ? Median(runs.Select(r => r.CpuMicrosecondsPerRequest)) : double.NaN;

        Say(string.Empty);
        Say("### Ratios");
        Say(string.Empty);
        Say("Paired: the ratio within each round (the variants ran back to back), then the median over the rounds; it is the headline, because the");
        Say("machine's background load drifts between rounds. The ratio of the medians above is shown beside it.");
        Say(string.Empty);
        Say("| ratio | median of per-round ratios | per round | ratio of medians | target |");
        Say("| --- | ---: | --- | ---: | --- |");
        void Ratio(string name, IReadOnlyList<double>? over, IReadOnlyList<double>? under, string target)
        {
            if (over is null || under is null)
            {
                return;
            }

            var perRound = over.Zip(under, (o, u) => o / u).ToArray();
            Say(string.Create(Invariant, $"| {name} | {Median(perRound):0.00} | {string.Join(" / ", perRound.Select(r => r.ToString("0.00", Invariant)))} | {Median(over) / Median(under):0.00} | {target} |"));
        }

        IReadOnlyList<double>? AcceptRates(Variant v) => accepts.TryGetValue(v, out var runs) ? runs.Select(r => r.AcceptsPerSecond).ToArray() : null;
        IReadOnlyList<double>? CompletionRates(Variant v) => endToEnd.TryGetValue(v, out var runs) ? runs.Select(r => r.PerSecond).ToArray() : null;
        IReadOnlyList<double>? HeapPerTask(Variant v) => memory.TryGetValue(v, out var samples) ? samples.Select(s => s.HeapBytesPerTask).ToArray() : null;
        // The targets of issue 13: 0.9 on InMemory, 0.8 on PostgreSQL, 1.5 × the memory.
        var rateTarget = postgres is null ? "≥ 0.9" : "≥ 0.8";
        Ratio("accepts/s (c)/(b)", AcceptRates(Variant.Library), AcceptRates(Variant.HandWritten), rateTarget);
        Ratio("accepts/s (c)/(a)", AcceptRates(Variant.Library), AcceptRates(Variant.Bare), "(context)");
        Ratio("accepts/s (b)/(a)", AcceptRates(Variant.HandWritten), AcceptRates(Variant.Bare), "(context)");
        Ratio("completions/s (c)/(b)", CompletionRates(Variant.Library), CompletionRates(Variant.HandWritten), rateTarget);
        Ratio("GC heap per pending task (c)/(b)", HeapPerTask(Variant.Library), HeapPerTask(Variant.HandWritten), "≤ 1.5");
        Say(string.Empty);
        Say(string.Create(Invariant, $"For the middleware's share: a bare request (a) took {BareCpu():0.0} µs of this process's CPU (load client included), "
            + $"and at most {Environment.ProcessorCount * 1e6 / AcceptsOf(Variant.Bare):0.0} µs ({Environment.ProcessorCount} cores ÷ its accepts/s)."));
        Say(string.Create(Invariant, $"Total load run: {total.Elapsed.TotalSeconds:0} s."));

        var directory = Path.GetDirectoryName(Path.GetFullPath(options.Output));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(options.Output, report.ToString());
        Console.WriteLine($"Written to {Path.GetFullPath(options.Output)}");
        return 0;
    }

    private static async Task<Dictionary<Variant, List<LoadResult>>> MeasureAcceptsAsync(
        LoadOptions options, ScenarioStandIn scenario, LoadPostgres? postgres, Dictionary<Variant, List<RoundTrips>> roundTrips)
    {
        var results = Enum.GetValues<Variant>().Where(options.Variants.Contains).ToDictionary(v => v, _ => new List<LoadResult>());

        // One unmeasured pass first: the JIT compiles every variant's code (shared by all later hosts) before any round counts.
        foreach (var variant in results.Keys)
        {
            await using var host = await StartHostAsync(variant, runJobs: false, options, scenario, postgres, StorageFor(variant, postgres));
            using var client = new LoadClient(options.Concurrency);
            await client.RunAsync(host.WorkUrl, TimeSpan.FromSeconds(3), int.MaxValue);
        }

        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var variant in Rotate(Enum.GetValues<Variant>(), round).Where(options.Variants.Contains))
            {
                // The schema is created (in StorageFor) before the count starts: it is set-up, not a task's cost.
                var storage = StorageFor(variant, postgres);
                var window = storage is not null && postgres is not null ? await postgres.RoundTrips.StartAsync() : null;
                LoadResult result;
                int accepted;
                await using (var host = await StartHostAsync(variant, runJobs: false, options, scenario, postgres, storage))
                using (var client = new LoadClient(options.Concurrency))
                {
                    var warm = await client.RunAsync(host.WorkUrl, options.Warmup, int.MaxValue);
                    Collect();
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    result = await client.RunAsync(host.WorkUrl, options.Measure, int.MaxValue);
                    result = result with { CpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore };
                    accepted = warm.Accepted + result.Accepted;
                }

                results[variant].Add(result);
                Console.WriteLine(string.Create(Invariant, $"accept round {round + 1} {variant.Label()}: {result.AcceptsPerSecond:0}/s p50 {result.P50Ms:0.00} ms p99 {result.P99Ms:0.00} ms failed {result.Failed}, load average {LoadAverage()}"));
                if (window is not null)
                {
                    var trips = await postgres!.RoundTrips.StopAsync(window, accepted);
                    Add(roundTrips, variant, trips);
                    Console.WriteLine(string.Create(Invariant, $"  round trips per accept ({accepted} accepted): {trips.StatementsPerTask:0.00} statements, {trips.CommitsPerTask:0.00} commits"));
                }
            }
        }

        return results;
    }

    private static async Task<Dictionary<Variant, List<EndToEndResult>>> MeasureEndToEndAsync(
        LoadOptions options, ScenarioStandIn scenario, CompletionCounter counter, LoadPostgres? postgres, Dictionary<Variant, List<RoundTrips>> roundTrips)
    {
        Variant[] variants = [Variant.HandWritten, Variant.Library];
        var results = variants.Where(options.Variants.Contains).ToDictionary(v => v, _ => new List<EndToEndResult>());

        // PostgreSQL completes tens of tasks a second on a small shared machine, so its 5,000 can take minutes.
        var timeout = postgres is null ? TimeSpan.FromMinutes(2) : TimeSpan.FromMinutes(10);
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var variant in Rotate(variants, round).Where(options.Variants.Contains))
            {
                var storage = StorageFor(variant, postgres);
                var window = postgres is not null ? await postgres.RoundTrips.StartAsync() : null;
                await using (var host = await StartHostAsync(variant, runJobs: true, options, scenario, postgres, storage))
                using (var client = new LoadClient(options.Concurrency))
                {
                    var warm = counter.Restart(options.EndToEndWarmupTasks);
                    await client.RunAsync(host.WorkUrl, timeout, options.EndToEndWarmupTasks);
                    await warm.WaitAsync(timeout);
                    scenario.Reset();
                    Collect();

                    var done = counter.Restart(options.EndToEndTasks);
                    var exceptionsBefore = Interlocked.Read(ref _firstChanceExceptions);
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var started = Stopwatch.GetTimestamp();
                    var sent = await client.RunAsync(host.WorkUrl, timeout, options.EndToEndTasks);
                    if (sent.Accepted != options.EndToEndTasks)
                    {
                        throw new InvalidOperationException($"{variant.Label()}: only {sent.Accepted} of {options.EndToEndTasks} tasks were accepted ({sent.Failed} failed).");
                    }

                    await done.WaitAsync(timeout);
                    var result = new EndToEndResult(options.EndToEndTasks, Stopwatch.GetElapsedTime(started), counter.Errors)
                    {
                        CpuMicrosecondsPerTask = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / options.EndToEndTasks,
                        ExceptionsPerTask = (Interlocked.Read(ref _firstChanceExceptions) - exceptionsBefore) / (double)options.EndToEndTasks,
                    };
                    results[variant].Add(result);
                    Console.WriteLine(string.Create(Invariant, $"end-to-end round {round + 1} {variant.Label()}: {result.PerSecond:0}/s ({result.Elapsed.TotalSeconds:0.00} s, {result.Errors} Error statuses, {result.CpuMicrosecondsPerTask:0} µs CPU and {result.ExceptionsPerTask:0.00} exceptions per task), load average {LoadAverage()}"));
                }

                scenario.Reset();
                if (window is not null)
                {
                    var completed = options.EndToEndWarmupTasks + options.EndToEndTasks;
                    var trips = await postgres!.RoundTrips.StopAsync(window, completed);
                    Add(roundTrips, variant, trips);
                    Console.WriteLine(string.Create(Invariant, $"  round trips per completion ({completed} completed): {trips.StatementsPerTask:0.00} statements, {trips.CommitsPerTask:0.00} commits"));
                }
            }
        }

        return results;
    }

    /// <summary>
    /// A variant's host; (c) keeps its tasks in the store the receiver chooses (in memory on InMemory) or, on PostgreSQL,
    /// in its task table; in Hangfire's hashes with <c>--task-store hangfire</c>.
    /// </summary>
    private static Task<VariantHost> StartHostAsync(Variant variant, bool runJobs, LoadOptions options, ScenarioStandIn scenario, LoadPostgres? postgres, JobStorage? storage)
    {
        var taskStore = variant == Variant.Library && postgres is not null && storage is not null && !options.GenericTaskStore
            ? postgres.TaskStoreFor(storage)
            : null;
        return VariantHost.StartAsync(variant, runJobs, scenario.BaseUrl, scenario.ApiKey, options.WorkerCount, storage, taskStore, options.GenericTaskStore);
    }

    /// <summary>(b) and (c)'s storage: a fresh PostgreSQL schema, or null for VariantHost's fresh InMemory one; (a) has none.</summary>
    private static JobStorage? StorageFor(Variant variant, LoadPostgres? postgres)
        => variant == Variant.Bare ? null : postgres?.CreateStorage();

    /// <summary>A statement on one line of a table: whitespace collapsed, pipes escaped, long ones cut.</summary>
    private static string Abbreviate(string query)
    {
        var line = string.Join(' ', query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length <= 140 ? line : line[..137] + "...";
    }

    private static void Add(Dictionary<Variant, List<RoundTrips>> roundTrips, Variant variant, RoundTrips trips)
    {
        if (!roundTrips.TryGetValue(variant, out var list))
        {
            roundTrips[variant] = list = [];
        }

        list.Add(trips);
    }

    /// <summary>A round-trip cell: the median over the rounds, "n/a" without pg_stat_statements, "–" when the phase did not run.</summary>
    private static string PerTask(Dictionary<Variant, List<RoundTrips>> roundTrips, Variant variant, Func<RoundTrips, double?> value)
    {
        if (!roundTrips.TryGetValue(variant, out var list) || list.Count == 0)
        {
            return "–";
        }

        var values = list.Select(value).ToArray();
        return values.Any(v => v is null) ? "n/a (no pg_stat_statements)" : Median(values.Select(v => v!.Value)).ToString("0.00", Invariant);
    }

    private static async Task<Dictionary<Variant, List<MemorySample>>> MeasureMemoryAsync(LoadOptions options)
    {
        var results = Enum.GetValues<Variant>().Where(options.Variants.Contains).ToDictionary(v => v, _ => new List<MemorySample>());
        for (var round = 0; round < options.MemoryRounds; round++)
        {
            foreach (var variant in Rotate(Enum.GetValues<Variant>(), round).Where(options.Variants.Contains))
            {
                var sample = await MemoryProbe.RunChildAsync(variant, options.MemoryTasks, options.Concurrency, options.GenericTaskStore);
                results[variant].Add(sample);
                Console.WriteLine(string.Create(Invariant, $"memory round {round + 1} {variant.Label()}: heap {sample.HeapBytesPerTask:0} B/task, working set {sample.WorkingSetBytesPerTask:0} B/task, {sample.PendingJobs} jobs pending"));
            }
        }

        return results;
    }

    /// <summary>Each round starts with a different variant, so none always runs first (cold) or last (after the others' garbage).</summary>
    private static IEnumerable<Variant> Rotate(Variant[] variants, int round)
        => Enumerable.Range(0, variants.Length).Select(i => variants[(i + round) % variants.Length]);

    internal static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The 1-minute load average: the machine is shared, so each round says how busy it was.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string Machine()
    {
        string Read(string path, string key)
        {
            try
            {
                var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
                return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
            catch (IOException)
            {
                return "unknown";
            }
        }

        return string.Create(Invariant,
            $"Machine: {Environment.ProcessorCount} cores ({Read("/proc/cpuinfo", "model name")}), {Read("/proc/meminfo", "MemTotal")} memory, "
            + $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, "
            + $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC{(GCSettings.LatencyMode == GCLatencyMode.Interactive ? " (concurrent)" : string.Empty)}.");
    }

    private sealed record EndToEndResult(int Tasks, TimeSpan Elapsed, int Errors)
    {
        public double PerSecond => Tasks / Elapsed.TotalSeconds;

        /// <summary>The process's CPU over the measured tasks: where a variant spends more, two shared cores complete fewer.</summary>
        public double CpuMicrosecondsPerTask { get; init; }

        /// <summary>Exceptions thrown (first chance) in the process per task: each costs a stack walk.</summary>
        public double ExceptionsPerTask { get; init; }
    }
}
