using System.Net;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tasks.InMemory;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// What only the in-memory task store has: it is chosen for Hangfire.InMemory alone, its table is the storage's,
/// its locks wait and time out as Hangfire's do and leave nothing behind, and its records expire. The guarantees
/// it shares with the other stores are the whole suite's, run on it by the default pass of .ci/run.
/// </summary>
public sealed class InMemoryTaskStoreTests : StandInTest
{
    [Fact]
    public void OnHangfireInMemory_TheReceiverKeepsTasksInMemory_OnAnyOtherStorageInHangfiresHashes()
    {
        Assert.IsType<InMemoryTaskStore>(StoreChosenFor(new InMemoryStorage()));
        // A storage in another type (a decorator, a storage of the user's) may keep its data anywhere: the generic store.
        Assert.IsType<HangfireTaskStore>(StoreChosenFor(new UnreachableStorage()));
    }

    [Fact]
    public void WithATaskStoreConnectionString_ThePostgreSqlStoreIsChosenEvenOnHangfireInMemory()
        => Assert.Equal("postgresql:jobs/scenario_receiver", StoreChosenFor(new InMemoryStorage(), "Host=127.0.0.1;Port=1;Database=jobs;Username=app").Name);

    [Fact]
    public async Task TwentyIdenticalRestCallsAtOnceAtTwoHostsOnOneStorage_MakeOneJobAndOneTerminalStatus()
    {
        // Two instances in one process on one InMemory storage, as far as such a storage can be shared: one table.
        var shared = new InMemoryStorage();
        await using var a = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], useKestrel: true, storage: shared);
        await using var b = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], useKestrel: true, storage: shared);
        var taskId = TestData.NewTaskId();

        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? a : b).RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId)));
        await Scenario.WaitForTerminalStatusAsync(taskId, Await.DefaultTimeout);

        Assert.All(calls, c => Assert.Equal(HttpStatusCode.Accepted, c.StatusCode));
        Assert.Single(calls.Select(c => c.JobId).Distinct());
        Assert.Equal(1, shared.TotalJobs());
        Assert.Equal(1, a.Probe.CountFor(taskId) + b.Probe.CountFor(taskId));
        Assert.Single(Scenario.StatusesFor(taskId));
    }

    [Fact]
    public async Task StoresOnTwoStorages_DoNotSeeEachOthersTasks_StoresOnOneStorageDo()
    {
        var shared = new InMemoryStorage();
        var first = NewStore(shared);
        var sameStorage = NewStore(shared);
        var otherStorage = NewStore(new InMemoryStorage());
        var taskId = TestData.NewTaskId();

        await first.AcceptAsync(taskId, "entry", null, null, "default", () => ValueTask.FromResult("job-1"));

        Assert.Equal("job-1", (await sameStorage.FindAsync(taskId))?.JobId);
        Assert.Null((await otherStorage.FindAsync(taskId)));
        Assert.True((await otherStorage.AcceptAsync(taskId, "entry", null, null, "default", () => ValueTask.FromResult("job-2"))) is { IsDuplicate: false, JobId: "job-2" });
    }

    [Fact]
    public async Task AHeldLock_KeepsTheNextWaitingUntilReleased_ThenTimesOutAsHangfiresLocksDo()
    {
        var locks = new KeyedLocks();
        var held = await locks.TakeAsync("task:report", TimeSpan.FromSeconds(1));

        var waiting = locks.TakeAsync("task:report", TimeSpan.FromSeconds(30)).AsTask();
        var other = await locks.TakeAsync("other:report", TimeSpan.FromSeconds(1)); // another task's lock is free
        await Assert.ThrowsAsync<DistributedLockTimeoutException>(async () => await locks.TakeAsync("task:report", TimeSpan.FromMilliseconds(50)));
        Assert.False(waiting.IsCompleted);

        held.Dispose();
        var second = await waiting.WaitAsync(Await.DefaultTimeout);
        second.Dispose();
        other.Dispose();
        held.Dispose(); // a second dispose releases nothing twice

        Assert.Equal(0, locks.Count);
        using var again = await locks.TakeAsync("task:report", TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task ARecord_ExpiresAfterTheRetention_WhileTheSweepersSetKeepsItsIdToForget()
    {
        var clock = new AdjustableClock(DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = NewStore(new InMemoryStorage(), clock, retention: TimeSpan.FromHours(1));
        var taskId = TestData.NewTaskId();
        await store.AcceptAsync(taskId, "entry", null, null, "default", () => ValueTask.FromResult("job-1"));

        clock.Now += TimeSpan.FromMinutes(59);
        Assert.NotNull((await store.FindAsync(taskId)));
        clock.Now += TimeSpan.FromMinutes(2);
        await store.RemoveExpiredAsync();

        Assert.Null((await store.FindAsync(taskId)));
        Assert.Contains(taskId, await store.DueForSweepAsync(DateTimeOffset.MaxValue, int.MaxValue));
        await store.ForgetAsync(taskId);
        Assert.Empty(await store.DueForSweepAsync(DateTimeOffset.MaxValue, int.MaxValue));
    }

    [Fact]
    public async Task MarkedReported_ATaskLeavesEverySetTheHealthCheckCounts()
    {
        var store = NewStore(new InMemoryStorage());
        var taskId = TestData.NewTaskId();
        await store.AcceptAsync(taskId, "entry", null, null, "default", () => ValueTask.FromResult("job-1"));
        await store.MarkUndeliveredAsync(taskId);
        await store.MarkRecoveringAsync(taskId);
        Assert.Equal((1L, 1L, 1L), (await store.CountWaitingAsync()));

        await using (var locked = await store.LockForReportAsync(taskId))
        {
            await locked.WriteReportedAsync("Completed", DateTimeOffset.UtcNow, (_, _, _) => { }, CancellationToken.None);
        }

        Assert.Equal((0L, 0L, 0L), (await store.CountWaitingAsync()));
        Assert.Equal("Completed", (await store.FindAsync(taskId))?.ReportedStatus);
        Assert.False((await store.TryDecideAsync(taskId, TaskOutcome.Completed(200, null), TaskDecider.Callback)).IsDecided);
    }

    private static ITaskStore StoreChosenFor(JobStorage storage, string? taskStoreConnectionString = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = "http://127.0.0.1:9/",
            ["Scenario:ApiKey"] = "key",
            ["Scenario:TaskStore:ConnectionString"] = taskStoreConnectionString,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddIsolatedHangfire(storage);
        services.AddScenarioReceiver(configuration.GetSection("Scenario")).UsePostgreSqlTaskStore();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<ITaskStore>();
    }

    private static InMemoryTaskStore NewStore(JobStorage storage, TimeProvider? time = null, TimeSpan? retention = null)
        => new(storage, TaskStoreUnderTest.InMemoryTableFor(storage), Options.Create(new ScenarioReceiverOptions { RecordRetention = retention ?? TimeSpan.FromDays(7) }), time ?? TimeProvider.System);

    private sealed class AdjustableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
