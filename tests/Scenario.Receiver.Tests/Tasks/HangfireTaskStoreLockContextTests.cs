using Microsoft.Extensions.Options;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.ScaleOut;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// The generic store's locks on Hangfire.Redis.StackExchange, against a real <c>redis-server</c>: that storage remembers the
/// locks held in a dictionary per thread (per flow in some versions) and takes a key found there as held already. Flows
/// forked from one context that has a lock (a job's flow, where Hangfire took one before) run on pool threads that an
/// earlier holder may have used. The store takes each lock on a thread of its own, so two such flows never both hold one
/// task's report lock.
/// </summary>
[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class HangfireTaskStoreLockContextTests(SharedRedisServer redis) : IClassFixture<SharedRedisServer>
{
    [Fact]
    public async Task ReportLock_TwoFlowsForkedFromAContextHoldingAnotherLock_HoldItOneAtATime()
    {
        Assert.True(redis.IsAvailable, redis.UnavailableReason);
        await using var storage = await RedisScaleOutStorage.CreateAsync(redis.Configuration, redis.NewPrefix());
        var store = new HangfireTaskStore(storage.Storage, Options.Create(new ScenarioReceiverOptions()), TimeProvider.System);
        var taskId = TestData.NewTaskId();

        // As in a job's flow where Hangfire took a lock: this context now carries the storage's dictionary of held locks.
        using var connection = storage.Storage.GetConnection();
        using var unrelated = connection.AcquireDistributedLock("scenario:test:unrelated-lock", TimeSpan.FromSeconds(5));

        var terminalPost = await Task.Run(async () => await store.LockForReportAsync(taskId));
        bool progressBegan;
        try
        {
            // A progress post in a sibling flow while the terminal post holds the report lock: it must find the lock held.
            progressBegan = await Task.Run(async () => await store.TryBeginProgressAsync(taskId, DateTimeOffset.UtcNow.AddSeconds(30), afterOwnWork: false));
        }
        finally
        {
            await terminalPost.DisposeAsync();
        }

        Assert.False(progressBegan);
        Assert.Null(await store.FindAsync(taskId));

        // Returned, the lock is free for the sibling flow.
        Assert.True(await Task.Run(async () => await store.TryBeginProgressAsync(taskId, DateTimeOffset.UtcNow.AddSeconds(30), afterOwnWork: false)));
    }
}
