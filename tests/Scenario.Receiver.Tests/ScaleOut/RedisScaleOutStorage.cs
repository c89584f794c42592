using Hangfire.Redis.StackExchange;
using StackExchange.Redis;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// Hangfire.Redis.StackExchange's storage as one receiver instance builds it, with the options the README's Redis
/// setup gives: every instance its own connection and storage object, as separate processes would, sharing nothing but
/// the server and the key prefix. The receiver keeps its task records there too, in the generic task store.
/// </summary>
public sealed class RedisScaleOutStorage : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private RedisScaleOutStorage(ConnectionMultiplexer connection, RedisStorage storage)
    {
        _connection = connection;
        Storage = storage;
    }

    public RedisStorage Storage { get; }

    /// <param name="configuration">StackExchange.Redis's configuration string, e.g. <c>127.0.0.1:6379</c>.</param>
    /// <param name="prefix">The test's own key prefix: instances of one test share it, as they would share a server.</param>
    /// <param name="invisibilityTimeout">Default the package's (30 min); the kill test's takeover needs a shorter one.</param>
    public static async Task<RedisScaleOutStorage> CreateAsync(string configuration, string prefix, TimeSpan? invisibilityTimeout = null)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionOptions(configuration));
        var options = Options(prefix, invisibilityTimeout);
        return new RedisScaleOutStorage(connection, new RedisStorage(connection, options));
    }

    /// <summary>StackExchange.Redis's options: the configuration string as given, nothing tuned (README).</summary>
    public static ConfigurationOptions ConnectionOptions(string configuration) => ConfigurationOptions.Parse(configuration);

    /// <summary>The options of the README's Redis setup, which the kill test's instances (<see cref="RedisInstanceProgram"/>) use too.</summary>
    public static RedisStorageOptions Options(string prefix, TimeSpan? invisibilityTimeout) => new()
    {
        Prefix = prefix,

        // Hangfire.Redis.StackExchange has no sliding invisibility: a job fetched longer ago than this is put back in
        // the queue by any instance's watcher, even while its worker still runs it. Longer than the longest work,
        // and also how long a dead instance's jobs wait before another instance takes them over (plus up to the
        // watcher's one-minute pass).
        InvisibilityTimeout = invisibilityTimeout ?? new RedisStorageOptions().InvisibilityTimeout,
    };

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
