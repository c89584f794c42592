using Hangfire;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tests.Infrastructure;
using StackExchange.Redis;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// <see cref="SharedStorageTests"/> on Hangfire.Redis.StackExchange against a real <c>redis-server</c>, each test under
/// a key prefix of its own; the task records are the generic store's (the receiver's choice on any storage but
/// Hangfire.InMemory and PostgreSQL's table store).
/// </summary>
[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class SharedStorageTests_HangfireStoreOnRedis(SharedRedisServer redis) : SharedStorageTests(TaskStoreUnderTest.Hangfire), IClassFixture<SharedRedisServer>
{
    private readonly List<RedisScaleOutStorage> _storages = [];
    private string _prefix = null!;

    protected override string? UnavailableReason => redis.IsAvailable ? null : redis.UnavailableReason;

    protected override Task PrepareSharedStorageAsync()
    {
        _prefix = redis.NewPrefix();
        return Task.CompletedTask;
    }

    protected override async Task<JobStorage> CreateInstanceStorageAsync()
    {
        var storage = await RedisScaleOutStorage.CreateAsync(redis.Configuration, _prefix);
        _storages.Add(storage);
        return storage.Storage;
    }

    /// <summary>Every job hash under the test's prefix (<c>job:{id}</c>, not its <c>:state</c> or <c>:history</c>), the sweeper's left out.</summary>
    protected override async Task<long> CountJobsAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var server = connection.GetServers().Single();
        var database = connection.GetDatabase();
        var jobPrefix = _prefix + "job:";
        var count = 0L;
        await foreach (var key in server.KeysAsync(pattern: jobPrefix + "*"))
        {
            if (key.ToString()[jobPrefix.Length..].Contains(':', StringComparison.Ordinal))
            {
                continue;
            }

            var type = (string?)await database.HashGetAsync(key, "Type");
            if (type is null || !type.Contains(nameof(ScenarioSweepJob), StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    protected override async Task DisposeSharedStorageAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }
    }
}
