namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// The run's one throwaway Redis server (<see cref="RedisServer"/>), started by the first test that needs it and
/// stopped with the test process, like <see cref="SharedPostgresServer"/>: each test keeps its keys under a prefix of
/// its own (<see cref="NewPrefix"/>), so they need no sequencing among themselves.
/// </summary>
public sealed class SharedRedisServer : IAsyncLifetime
{
    private static readonly Lazy<Task<RedisServer>> Instance = new(StartAsync);

    private RedisServer _server = null!;

    /// <inheritdoc cref="RedisServer.IsAvailable"/>
    public bool IsAvailable => _server.IsAvailable;

    /// <inheritdoc cref="RedisServer.UnavailableReason"/>
    public string? UnavailableReason => _server.UnavailableReason;

    /// <inheritdoc cref="RedisServer.Configuration"/>
    public string Configuration => _server.Configuration;

    /// <inheritdoc cref="RedisServer.NewPrefix"/>
    public string NewPrefix() => _server.NewPrefix();

    public async Task InitializeAsync() => _server = await Instance.Value;

    // Shared by every class for the whole run: stopped at process exit, not when one class is done with it.
    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        await server.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().GetAwaiter().GetResult();
        return server;
    }
}
