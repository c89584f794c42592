using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.Postgres;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Benchmarks.Scale;

/// <summary>
/// Cost as the work grows (issue 22, item 4): one receiver, first with no task pending, then with <c>--pending</c>
/// deferred tasks (each waiting a day for its callback), at the library's default sweep and cancellation-poll
/// intervals unless told otherwise. For each state: an idle window (no request) with the process's CPU, the jobs
/// Hangfire created, the cancellation questions Scenario got and, on PostgreSQL, the server's CPU and the database's
/// commits and tuples (pg_stat_database); then the accepts/s of a short burst of quick tasks. With the tasks pending,
/// also the GC heap per pending task (InMemory) and the time to complete <c>--callbacks</c> of them through
/// <see cref="IScenarioTaskCompletion"/> until Scenario has their Completed statuses.
/// With the tasks pending, also the time the dashboard's Scenario page takes to answer (<see cref="DashboardTiming"/>);
/// <c>--only dashboard</c> measures that alone, after the fill.
/// <code>dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- scale --storage postgres --pending 10000 --idle-seconds 60</code>
/// </summary>
internal static class ScaleBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ScaleOptions.Parse(args);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        await using var scenario = await LeanScenario.StartAsync();
        await using var postgres = options.Storage == LoadStorage.Postgres ? await LoadPostgres.StartAsync() : null;
        var storage = postgres is null ? new InMemoryStorage() : postgres.CreateStorage();
        JobCreationCounter? jobs = null;
        await using var receiver = await StartReceiverAsync(options, scenario, storage, postgres, counter => jobs = counter);
        var baseUrl = new Uri(receiver.Urls.First().TrimEnd('/') + "/");

        Say($"## Scale: {options.Pending} deferred tasks pending against none ({(postgres is null ? "Hangfire.InMemory, the in-memory task store" : "Hangfire.PostgreSql, the PostgreSQL task store")})");
        Say(string.Empty);
        Say(LoadBenchmark.Machine());
        Say(string.Empty);
        var plan = options.DashboardOnly
            ? string.Create(Invariant, $"The dashboard alone: one warm-up burst of {options.AcceptSeconds.TotalSeconds:0} s at concurrency {options.Concurrency}, the fill, {options.Settle.TotalSeconds:0} s to settle, the timings; no idle window, accept round or callback")
            : string.Create(Invariant, $"Idle windows of {options.Idle.TotalSeconds:0} s after {options.Settle.TotalSeconds:0} s to settle; accept bursts of {options.AcceptSeconds.TotalSeconds:0} s at concurrency {options.Concurrency}");
        Say(string.Create(Invariant, $"Command: scale {string.Join(' ', args)}. Load average (1 min) at the start: {LoadBenchmark.LoadAverage()}. {plan}; "
            + $"sweep interval {Describe(options.SweepInterval)}, cancellation poll interval {(options.PollingOff ? "off" : Describe(options.PollInterval))}, at most {(options.MaxQueriesPerSecond is { } rate ? rate.ToString(Invariant) : "the library's default number of")} questions a second."));
        if (postgres is not null)
        {
            Say(string.Empty);
            Say($"PostgreSQL: {postgres.Description}");
        }

        Say(string.Empty);
        var total = Stopwatch.StartNew();

        // Warm: the JIT and the pools, with quick tasks run to completion (delivered: the dashboard shows them too).
        await AcceptBurstAsync(baseUrl, storage, options, options.AcceptSeconds);
        IdleWindow? emptyIdle = null;
        if (!options.DashboardOnly)
        {
            await Task.Delay(options.Settle);
            emptyIdle = await IdleWindowAsync("none pending", options, scenario, jobs!, postgres);
        }

        // Fill: deferred tasks, each a RestCall whose work answers "deferred for a day".
        LoadBenchmark.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var jobsBefore = jobs!.Created;
        var fill = Stopwatch.StartNew();
        var pendingIds = await FillAsync(baseUrl, options);
        var accepted = fill.Elapsed.TotalSeconds;
        var drained = await WaitUntilNoJobRunsAsync(storage, options.FillWait);
        var fillSeconds = fill.Elapsed.TotalSeconds;
        LoadBenchmark.Collect();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var jobsPerFilledTask = (jobs.Created - jobsBefore) / (double)pendingIds.Count;
        Console.WriteLine(string.Create(Invariant, $"filled {pendingIds.Count} deferred tasks in {fillSeconds:0.0} s, {jobsPerFilledTask:0.00} jobs created per task, load average {LoadBenchmark.LoadAverage()}"));

        await Task.Delay(options.Settle);
        if (options.DashboardOnly)
        {
            var pages = await DashboardTiming.MeasureAsync(baseUrl, pendingIds[^1], options.DashboardRequests);
            SayFill();
            SayDashboard(pages);
            return await WriteAsync();
        }

        var pendingIdle = await IdleWindowAsync($"{options.Pending} pending", options, scenario, jobs, postgres);
        var dashboard = await DashboardTiming.MeasureAsync(baseUrl, pendingIds[^1], options.DashboardRequests);

        // Accepts with the tasks pending against an empty store: a second receiver in this process on a fresh storage,
        // the two alternated round by round, so the machine's drifting load weighs on both alike.
        var emptyStorage = postgres is null ? new InMemoryStorage() : postgres.CreateStorage();
        await using var emptyReceiver = await StartReceiverAsync(options, scenario, emptyStorage, postgres, _ => { });
        var emptyUrl = new Uri(emptyReceiver.Urls.First().TrimEnd('/') + "/");
        // Unmeasured, one each: after the idle window the thread pool has retired its spare threads (the first burst
        // after idle is the burst measurement's subject, not this one's), and the second receiver's code paths are cold.
        await AcceptBurstAsync(baseUrl, storage, options, options.AcceptSeconds);
        await AcceptBurstAsync(emptyUrl, emptyStorage, options, options.AcceptSeconds);
        var emptyAccepts = new List<LoadResult>();
        var pendingAccepts = new List<LoadResult>();
        for (var round = 0; round < options.AcceptRounds; round++)
        {
            foreach (var pending in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                (pending ? pendingAccepts : emptyAccepts).Add(await AcceptBurstAsync(pending ? baseUrl : emptyUrl, pending ? storage : emptyStorage, options, options.AcceptSeconds));
            }
        }

        var callbacks = await CompleteByCallbackAsync(receiver.Services, pendingIds.Take(options.Callbacks).ToArray(), scenario, options);

        Say("| idle window | process CPU s/min | PostgreSQL CPU s/min | commits/min | tuples returned/min | fetched/min | inserted/min | updated/min | deleted/min | jobs created/min | cancellation questions/min |");
        Say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var window in new[] { emptyIdle!, pendingIdle })
        {
            Say(window.Row());
        }

        Say(pendingIdle.RatioRow(emptyIdle!));
        Say(string.Empty);
        Say(string.Create(Invariant, $"Jobs created per deferred task per hour while idle: {(pendingIdle.JobsPerMinute - emptyIdle!.JobsPerMinute) * 60 / options.Pending:0.00}."));
        Say(string.Empty);
        Say(string.Create(Invariant, $"Accepts of quick tasks (Hangfire server on, concurrency {options.Concurrency}, {options.AcceptSeconds.TotalSeconds:0} s a burst), the receiver with the tasks pending and a second one in the same process on an empty storage, alternated:"));
        Say(string.Empty);
        Say("| receiver | accepts/s (median) | per round | p99 ms (median) | failed |");
        Say("| --- | ---: | --- | ---: | ---: |");
        foreach (var (name, runs) in new[] { ("empty store", emptyAccepts), ($"{options.Pending} pending", pendingAccepts) })
        {
            Say(string.Create(Invariant, $"| {name} | {LoadBenchmark.Median(runs.Select(r => r.AcceptsPerSecond)):0} | {string.Join(" / ", runs.Select(r => r.AcceptsPerSecond.ToString("0", Invariant)))} | {LoadBenchmark.Median(runs.Select(r => r.P99Ms)):0.0} | {runs.Sum(r => r.Failed)} |"));
        }

        var acceptRatios = pendingAccepts.Zip(emptyAccepts, (p, e) => p.AcceptsPerSecond / e.AcceptsPerSecond).ToArray();
        Say(string.Create(Invariant, $"| ratio, pending ÷ empty (median of per-round ratios) | {LoadBenchmark.Median(acceptRatios):0.00} | {string.Join(" / ", acceptRatios.Select(r => r.ToString("0.00", Invariant)))} | | |"));
        Say(string.Empty);
        SayFill();

        Say(string.Create(Invariant, $"Completing {callbacks.Count} of them by callback (IScenarioTaskCompletion.CompleteAsync, {options.CallbackConcurrency} at a time, with {options.Pending} pending): "
            + $"{callbacks.Arrived} of {callbacks.Count} Completed statuses at Scenario after {callbacks.AllDelivered.TotalSeconds:0.00} s; the calls took {callbacks.MedianCallMs:0} ms median, {callbacks.SlowestCallMs:0} ms slowest; {callbacks.Decided} decided."));
        Say(string.Create(Invariant, $"Statuses other than Completed that Scenario received over the run (Error, progress): {scenario.OtherStatuses}."));
        SayDashboard(dashboard);
        return await WriteAsync();

        void SayFill()
        {
            Say(string.Create(Invariant, $"Filling: {pendingIds.Count} deferred tasks accepted in {accepted:0.0} s ({pendingIds.Count / accepted:0}/s); Hangfire's queue {drained}; {jobsPerFilledTask:0.00} Hangfire jobs created per task meanwhile."));
            if (postgres is null)
            {
                Say(string.Create(Invariant, $"GC heap per pending task (after a full compacting GC, before and after the fill; the receiver and Scenario's counters in one process): {(heapAfter - heapBefore) / (double)pendingIds.Count:0} B."));
            }
        }

        void SayDashboard(IReadOnlyList<PageTiming> pages)
        {
            Say(string.Empty);
            Say(string.Create(Invariant, $"The dashboard's Scenario page with {pages[0].TasksInStore} tasks in the store ({options.Pending} deferred, the rest the warm-up's quick tasks, delivered), "
                + $"each page asked {options.DashboardRequests} times after one unmeasured request, one at a time, over loopback HTTP, the whole body read; target: under {DashboardTiming.Target.TotalSeconds:0} s:"));
            Say(string.Empty);
            Say("| page | path | task rows | KiB | median ms | p90 ms | slowest ms | under 1 s |");
            Say("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var page in pages)
            {
                Say(page.Row());
            }
        }

        async Task<int> WriteAsync()
        {
            Say(string.Empty);
            Say(string.Create(Invariant, $"Load average (1 min) at the end: {LoadBenchmark.LoadAverage()}; total run {total.Elapsed.TotalSeconds:0} s."));
            var output = options.Output ?? Path.Combine("BenchmarkDotNet.Artifacts", $"scale-{(options.DashboardOnly ? "dashboard-" : string.Empty)}{(postgres is null ? "inmemory" : "postgres")}.md");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output, report.ToString());
            Console.WriteLine($"Written to {Path.GetFullPath(output)}");
            return 0;
        }
    }

    private static string Describe(TimeSpan? interval) => interval is null ? "the library's default" : interval.Value.ToString("c", Invariant);

    private static async Task<WebApplication> StartReceiverAsync(ScaleOptions options, LeanScenario scenario, JobStorage storage, LoadPostgres? postgres, Action<JobCreationCounter> counted)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        IsolatedHangfire.Add(builder.Services, storage);

        // Registered after IsolatedHangfire's, so this host's clients and server resolve the counting provider.
        var counter = new JobCreationCounter(JobFilterProviders.Providers);
        counted(counter);
        builder.Services.AddSingleton<IJobFilterProvider>(counter);
        builder.Services.AddHangfireServer(server => server.ShutdownTimeout = TimeSpan.FromSeconds(5));

        // What AddHangfire registers for the dashboard, which IsolatedHangfire leaves out.
        builder.Services.AddSingleton(DashboardRoutes.Routes);
        builder.Services.AddScenarioReceiver(receiver =>
        {
            receiver.BaseUrl = scenario.BaseUrl;
            receiver.ApiKey = LeanScenario.ApiKey;
            if (postgres is not null)
            {
                receiver.TaskStore = postgres.TaskStoreFor(storage);
            }

            if (options.SweepInterval is { } sweep)
            {
                receiver.SweepInterval = sweep;
            }

            if (options.PollInterval is { } poll)
            {
                receiver.Cancellation.PollInterval = poll;
            }

            if (options.PollingOff)
            {
                receiver.Cancellation.PollInterval = null;
            }

            if (options.MaxQueriesPerSecond is { } rate)
            {
                receiver.Cancellation.MaxQueriesPerSecond = rate;
            }
        }).UsePostgreSqlTaskStore();
        var app = builder.Build();
        app.UseScenarioTaskContext();
        app.MapPost("/defer", () => ScenarioResults.Deferred(TimeSpan.FromDays(1))).WithScenarioLongRunning();
        app.MapPost("/work", (WorkRequest request) => TypedResults.Ok(PricingWork.Run(request))).WithScenarioLongRunning();

        // Open to every request: the benchmark listens on loopback only. Its Scenario page is what DashboardTiming times.
        app.UseHangfireDashboard(DashboardTiming.DashboardPath, new DashboardOptions { Authorization = [] });
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Quick tasks at full concurrency for <paramref name="duration"/>, then until Hangfire has no job enqueued or
    /// processing. Not until Scenario has every status: on a loaded machine a post can time out and be retried minutes
    /// later, by design, and the run would wait for that.
    /// </summary>
    private static async Task<LoadResult> AcceptBurstAsync(Uri baseUrl, JobStorage storage, ScaleOptions options, TimeSpan duration)
    {
        using var client = new LoadClient(options.Concurrency);
        var result = await client.RunAsync(new Uri(baseUrl, "work"), duration, int.MaxValue);
        await WaitUntilNoJobRunsAsync(storage, options.AcceptDrainWait);
        Console.WriteLine(string.Create(Invariant, $"accept burst: {result.AcceptsPerSecond:0}/s, p99 {result.P99Ms:0.0} ms, failed {result.Failed}, load average {LoadBenchmark.LoadAverage()}"));
        return result;
    }

    private static async Task<List<string>> FillAsync(Uri baseUrl, ScaleOptions options)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var restCall = new ScenarioRestCall(http);
        var ids = new List<string>(options.Pending);
        using var gate = new SemaphoreSlim(options.Concurrency);
        await Task.WhenAll(Enumerable.Range(0, options.Pending).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var id = Guid.NewGuid().ToString("D");
                var call = await restCall.PostAsync("defer", null, id);
                if (call.StatusCode != System.Net.HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"A RestCall was answered {(int)call.StatusCode}: {call.Body}");
                }

                lock (ids)
                {
                    ids.Add(id);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return ids;
    }

    /// <summary>
    /// Until Hangfire has no job enqueued or processing (every deferred task's work job has run), or <paramref name="limit"/>
    /// has passed: with many deferred tasks the per-task cancellation checks can outpace the workers, and the queue then
    /// never empties (issue 22's saturation). Says which, and what was left.
    /// </summary>
    private static async Task<string> WaitUntilNoJobRunsAsync(JobStorage storage, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var monitoring = storage.GetMonitoringApi();
        while (true)
        {
            var statistics = monitoring.GetStatistics();
            if (statistics.Enqueued == 0 && statistics.Processing == 0)
            {
                return string.Create(Invariant, $"drained after {clock.Elapsed.TotalSeconds:0.0} s");
            }

            if (clock.Elapsed > limit)
            {
                var left = string.Create(Invariant, $"NOT drained after {limit.TotalSeconds:0} s: {statistics.Enqueued} jobs enqueued, {statistics.Processing} processing, {statistics.Scheduled} scheduled");
                Console.WriteLine(left);
                return left;
            }

            await Task.Delay(500);
        }
    }

    private static async Task<IdleWindow> IdleWindowAsync(string name, ScaleOptions options, LeanScenario scenario, JobCreationCounter jobs, LoadPostgres? postgres)
    {
        Console.WriteLine(string.Create(Invariant, $"idle window '{name}': {options.Idle.TotalSeconds:0} s…"));
        var before = await SampleAsync(scenario, jobs, postgres);
        var clock = Stopwatch.StartNew();
        await Task.Delay(options.Idle);
        var after = await SampleAsync(scenario, jobs, postgres);
        var window = new IdleWindow(name, clock.Elapsed.TotalMinutes, before, after);
        Console.WriteLine(window.Row() + $" load average {LoadBenchmark.LoadAverage()}");
        return window;
    }

    private static async Task<Sample> SampleAsync(LeanScenario scenario, JobCreationCounter jobs, LoadPostgres? postgres)
    {
        using var process = Process.GetCurrentProcess();
        var sample = new Sample(process.TotalProcessorTime, jobs.Created, scenario.Questions, postgres?.ServerCpuTime(), null);
        if (postgres is null)
        {
            return sample;
        }

        // Read from the admin database, so the reading is not counted. A backend publishes its counts at least a second
        // apart (up to 10 s when idle): over a minute's window that blurs each end by a few seconds' worth.
        await using var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = @database", connection);
        command.Parameters.AddWithValue("database", postgres.Database);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return sample with { Database = [.. Enumerable.Range(0, 6).Select(reader.GetInt64)] };
    }

    private static async Task<CallbackResult> CompleteByCallbackAsync(IServiceProvider services, string[] ids, LeanScenario scenario, ScaleOptions options)
    {
        var completedBefore = scenario.Completed;
        var delivered = scenario.WhenMoreCompleted(ids.Length);
        var completion = services.GetRequiredService<IScenarioTaskCompletion>();
        var calls = new List<double>(ids.Length);
        var decided = 0;
        using var gate = new SemaphoreSlim(options.CallbackConcurrency);
        var started = Stopwatch.StartNew();
        await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                var call = Stopwatch.StartNew();
                var result = await completion.CompleteAsync(id, new { done = true });
                lock (calls)
                {
                    calls.Add(call.Elapsed.TotalMilliseconds);
                    decided += result.IsDecided ? 1 : 0;
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        // Bounded: the target is "within seconds"; a run that misses it says how many arrived in the wait.
        await Task.WhenAny(delivered, Task.Delay(options.CallbackWait));
        var all = started.Elapsed;
        var arrived = (int)Math.Min(ids.Length, scenario.Completed - completedBefore);
        Console.WriteLine(string.Create(Invariant, $"callbacks: {arrived} of {ids.Length} delivered after {all.TotalSeconds:0.00} s"));
        return new CallbackResult(ids.Length, arrived, all, LoadBenchmark.Median(calls), calls.Max(), decided);
    }

    private sealed record Sample(TimeSpan ProcessCpu, long JobsCreated, long Questions, TimeSpan? ServerCpu, long[]? Database);

    private sealed record CallbackResult(int Count, int Arrived, TimeSpan AllDelivered, double MedianCallMs, double SlowestCallMs, int Decided);

    private sealed record IdleWindow(string Name, double Minutes, Sample Before, Sample After)
    {
        public double ProcessCpuPerMinute => (After.ProcessCpu - Before.ProcessCpu).TotalSeconds / Minutes;

        public double? ServerCpuPerMinute => After.ServerCpu is { } a && Before.ServerCpu is { } b ? (a - b).TotalSeconds / Minutes : null;

        public double JobsPerMinute => (After.JobsCreated - Before.JobsCreated) / Minutes;

        public double QuestionsPerMinute => (After.Questions - Before.Questions) / Minutes;

        public double? DatabasePerMinute(int column) => After.Database is { } a && Before.Database is { } b ? (a[column] - b[column]) / Minutes : null;

        public string Row()
            => string.Create(Invariant, $"| {Name} | {ProcessCpuPerMinute:0.0} | {Format(ServerCpuPerMinute, "0.0")} | {string.Join(" | ", Enumerable.Range(0, 6).Select(c => Format(DatabasePerMinute(c), "0")))} | {JobsPerMinute:0} | {QuestionsPerMinute:0} |");

        public string RatioRow(IdleWindow none)
        {
            static string Ratio(double? over, double? under) => over is { } o && under is { } u && u > 0 ? (o / u).ToString("0.0 ×", Invariant) : "–";
            return $"| ratio, pending ÷ none | {Ratio(ProcessCpuPerMinute, none.ProcessCpuPerMinute)} | {Ratio(ServerCpuPerMinute, none.ServerCpuPerMinute)} | {string.Join(" | ", Enumerable.Range(0, 6).Select(c => Ratio(DatabasePerMinute(c), none.DatabasePerMinute(c))))} | {Ratio(JobsPerMinute, none.JobsPerMinute)} | {Ratio(QuestionsPerMinute, none.QuestionsPerMinute)} |";
        }

        private static string Format(double? value, string format) => value is { } v ? v.ToString(format, Invariant) : "–";
    }
}
