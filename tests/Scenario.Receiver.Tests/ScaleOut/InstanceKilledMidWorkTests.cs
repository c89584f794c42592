using System.Globalization;
using System.Net;
using Hangfire;
using Hangfire.Storage.Monitoring;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// The sample service, twice, in processes of its own on one shared storage: one is killed (no
/// shutdown, as with <c>kill -9</c>) while it runs ten tasks, and the other finishes them.
/// </summary>
public abstract class InstanceKilledMidWorkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TaskCount = 10;

    // Long enough that none ends before the kill (the second instance starts in between), short enough to
    // keep the re-run after the takeover brief.
    protected const int DurationMs = 20_000;

    // The takeover waits for the InvisibilityTimeout after the last renewal of each claim, then the work runs again
    // from the start. The sample's own (one minute) by configuration shortened to the scale-out tests' (10 s, sliding
    // still on), which only shortens the wait: the claims, renewals and takeover are the same.
    private static readonly TimeSpan TakeoverTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Why the storage's server is missing (the test skips), or null when it runs.</summary>
    protected abstract string? UnavailableReason { get; }

    /// <summary>Makes the storage of the test's own (a database, a key prefix) that the two instances share.</summary>
    protected abstract Task PrepareSharedStorageAsync();

    /// <summary>Starts one instance, in a process of its own, on the shared storage, able to run all the test's tasks at once.</summary>
    protected abstract Task<SampleProcess> StartInstanceProcessAsync(string serverName, int workerCount);

    /// <summary>A storage object of the test's own on the shared storage, to read the jobs' states and histories.</summary>
    protected abstract Task<JobStorage> MonitoringStorageAsync();

    protected virtual Task DisposeSharedStorageAsync() => Task.CompletedTask;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<SampleProcess> _instances = [];
    private ScenarioStandIn? _scenario;

    public async Task InitializeAsync()
    {
        if (UnavailableReason is null)
        {
            _scenario = await ScenarioStandIn.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await DisposeSharedStorageAsync();
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }

        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task InstanceKilledWhileTenTasksRun_SurvivorCompletesAllTenAndScenarioGetsOneTerminalStatusEach()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await PrepareSharedStorageAsync();
        var scenario = _scenario!;
        var victim = await StartAsync("victim");

        // Sent while the victim is the only instance, so that it claims all ten.
        var tasks = new List<(string TaskId, string JobId, string Portfolio)>();
        for (var i = 0; i < TaskCount; i++)
        {
            var portfolio = $"EQ-{i}";
            var response = await victim.RestCall.PostAsync("/api/pricing/runs", new { portfolio, durationMs = DurationMs });
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{portfolio}: {response.StatusCode} {response.Body}{victim.RecentOutput()}");
            tasks.Add((response.TaskInstanceId, response.JobId!, portfolio));
        }

        // The pricing reports 0 % as it starts: each task runs on the victim.
        await scenario.WaitForStatusesAsync(statuses => tasks.All(t => statuses.Any(s => s.TaskInstanceId == t.TaskId && s.Status == "InProgress")), Timeout);

        var survivor = await StartAsync("survivor");
        Assert.True(scenario.Statuses.All(s => !s.IsTerminal), $"A task ended before the kill; DurationMs is too short for this machine.{victim.RecentOutput()}");

        var killedAt = DateTimeOffset.UtcNow;
        victim.Kill();

        try
        {
            await scenario.WaitForStatusesAsync(statuses => tasks.All(t => statuses.Any(s => s.TaskInstanceId == t.TaskId && s.IsTerminal)), TakeoverTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{survivor.RecentOutput()}", ex);
        }

        // Every work job done (each reports its own task), so no second report can still be on its way.
        // Counted job by job: the sweeper's recurring job (every minute) adds Succeeded jobs of its own.
        var storage = await MonitoringStorageAsync();
        var monitoring = storage.GetMonitoringApi();
        try
        {
            await Await.UntilAsync(
                () => tasks.All(t => storage.StateOf(t.JobId) == "Succeeded") && monitoring.ScheduledCount() == 0,
                "every work job succeeded",
                Timeout);
        }
        catch (TimeoutException ex)
        {
            var states = string.Join(", ", tasks.Select(t => $"{t.Portfolio}: {storage.StateOf(t.JobId)}"));
            var scheduled = string.Join(", ", monitoring.ScheduledJobs(0, 20).Select(j => $"{j.Key} {j.Value.Job?.Method.Name}"));
            throw new TimeoutException($"{ex.Message} Work jobs: {states}. Scheduled ({monitoring.ScheduledCount()}): {scheduled}.{survivor.RecentOutput(200)}", ex);
        }

        var takeovers = new List<TimeSpan>();
        foreach (var (taskId, jobId, portfolio) in tasks)
        {
            var terminal = Assert.Single(scenario.StatusesFor(taskId), s => s.IsTerminal);
            Assert.Equal("Completed", terminal.Status);
            Assert.Equal("200", terminal.OutputStatusCode);
            Assert.Equal(portfolio, terminal.OutputValues["portfolio"]);
            Assert.True(scenario.StatusesFor(taskId)[^1].IsTerminal, "Nothing may follow the terminal status.");

            // Hangfire's history of the work job: processed by the victim, then again by the survivor (more than once when a
            // run failed before the work began, e.g. a storage read timed out on the fresh instance, and Hangfire retried it).
            var processedBy = ProcessingServers(monitoring.JobDetails(jobId));
            Assert.True(processedBy.Count >= 2, $"{portfolio}: processed {processedBy.Count} time(s).");
            Assert.StartsWith(victim.ServerName + ":", processedBy[0], StringComparison.Ordinal);
            Assert.All(processedBy.Skip(1), server => Assert.StartsWith(survivor.ServerName + ":", server, StringComparison.Ordinal));

            // The survivor starts the pricing over: it posts a step the victim had already reached (at most the furthest
            // the victim got before it died). Not necessarily its 0 %: the progress reporter posts the latest value once its
            // sender runs, so on a starved fresh instance (ten requeued jobs starting at once) 0 % can be overtaken by 10 %
            // before it is sent, and a post whose lease the storage does not grant at once is skipped; both by design
            // (progress is best effort; the terminal status is not). Seen in CI on Redis: the survivor's first post was
            // 10 % after the victim's 40 %, and 10 % after the victim's 10 %.
            var statuses = scenario.StatusesFor(taskId);
            var furthestBeforeKill = statuses.Where(s => s.ReceivedAt <= killedAt && !s.IsTerminal).Select(s => s.ProgressPercentage ?? 0).DefaultIfEmpty(0).Max();
            // A post of the victim's still in flight at the kill is past its furthest (a step is posted once), so it is not taken for one.
            var restart = statuses.FirstOrDefault(s => s.ReceivedAt > killedAt && !s.IsTerminal && (s.ProgressPercentage ?? 0) <= furthestBeforeKill);
            Assert.True(
                restart is not null,
                $"{portfolio}: no progress post of the survivor at or below the victim's {furthestBeforeKill} % reached Scenario; received: {string.Join(", ", statuses.Select(s => $"{s.Status} {s.ProgressPercentage}%"))}.{survivor.RecentOutput(200)}");
            takeovers.Add(restart.ReceivedAt - killedAt);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Takeover (kill → the survivor's first progress post per task): {takeovers.Min().TotalSeconds:0.0} s to {takeovers.Max().TotalSeconds:0.0} s"));
    }

    protected ScenarioStandIn Scenario => _scenario!;

    private async Task<SampleProcess> StartAsync(string serverName)
    {
        var instance = await StartInstanceProcessAsync(serverName, workerCount: TaskCount + 2);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>The server ids of the job's Processing states, oldest first.</summary>
    private static List<string> ProcessingServers(JobDetailsDto? details)
    {
        Assert.NotNull(details);
        return details.History
            .Where(state => state.StateName == "Processing")
            .OrderBy(state => state.CreatedAt)
            .Select(state => state.Data["ServerId"])
            .ToList();
    }
}

/// <summary>The sample itself, on Hangfire's PostgreSQL storage and the PostgreSQL table store.</summary>
[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class InstanceKilledMidWorkTests_PostgreSqlStore(SharedPostgresServer postgres, ITestOutputHelper output) : InstanceKilledMidWorkTests(output), IClassFixture<SharedPostgresServer>
{
    private string _database = null!;

    protected override string? UnavailableReason => postgres.IsAvailable ? null : postgres.UnavailableReason;

    protected override async Task PrepareSharedStorageAsync() => _database = await postgres.CreateDatabaseAsync();

    protected override Task<SampleProcess> StartInstanceProcessAsync(string serverName, int workerCount)
        => SampleProcess.StartAsync(serverName, _database, Scenario, workerCount, invisibilityTimeout: ScaleOutStorage.InvisibilityTimeout);

    protected override Task<JobStorage> MonitoringStorageAsync() => Task.FromResult<JobStorage>(ScaleOutStorage.Create(_database));
}

/// <summary>
/// The sample's pricing runs on Hangfire.Redis.StackExchange and the generic task store (<see cref="RedisInstanceProgram"/>),
/// against a real <c>redis-server</c>.
/// </summary>
[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class InstanceKilledMidWorkTests_HangfireStoreOnRedis(SharedRedisServer redis, ITestOutputHelper output) : InstanceKilledMidWorkTests(output), IClassFixture<SharedRedisServer>
{
    /// <summary>
    /// Redis has no sliding invisibility: longer than the work (<see cref="InstanceKilledMidWorkTests.DurationMs"/>), or a
    /// live job would be fetched again while it runs; the takeover comes at the first pass of the survivor's watcher
    /// (every minute) after it.
    /// </summary>
    private static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromSeconds(30);

    private string _prefix = null!;
    private RedisScaleOutStorage? _monitoring;

    protected override string? UnavailableReason => redis.IsAvailable ? null : redis.UnavailableReason;

    protected override Task PrepareSharedStorageAsync()
    {
        _prefix = redis.NewPrefix();
        return Task.CompletedTask;
    }

    protected override Task<SampleProcess> StartInstanceProcessAsync(string serverName, int workerCount)
        => SampleProcess.StartOnRedisAsync(serverName, redis.Configuration, _prefix, Scenario, workerCount, InvisibilityTimeout);

    protected override async Task<JobStorage> MonitoringStorageAsync()
    {
        _monitoring = await RedisScaleOutStorage.CreateAsync(redis.Configuration, _prefix, InvisibilityTimeout);
        return _monitoring.Storage;
    }

    protected override async Task DisposeSharedStorageAsync()
    {
        if (_monitoring is not null)
        {
            await _monitoring.DisposeAsync();
        }
    }
}
