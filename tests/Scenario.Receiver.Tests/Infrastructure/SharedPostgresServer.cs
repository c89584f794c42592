namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// The run's one throwaway PostgreSQL server, started by the first test that needs it and stopped with the test
/// process: the tests on the PostgreSQL task store and the scale-out tests, each in a database of its own, so they
/// need no sequencing among themselves. As a class fixture it stands for that server in a test class (the members a
/// test uses of it). A test that stops its server (an outage) takes a <see cref="PostgresServer"/> of its own instead.
/// </summary>
public sealed class SharedPostgresServer : IAsyncLifetime
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartAsync);

    private PostgresServer _server = null!;

    /// <inheritdoc cref="PostgresServer.IsAvailable"/>
    public bool IsAvailable => _server.IsAvailable;

    /// <inheritdoc cref="PostgresServer.UnavailableReason"/>
    public string? UnavailableReason => _server.UnavailableReason;

    public static Task<PostgresServer> GetAsync() => Instance.Value;

    /// <inheritdoc cref="PostgresServer.CreateDatabaseAsync"/>
    public Task<string> CreateDatabaseAsync() => _server.CreateDatabaseAsync();

    public async Task InitializeAsync() => _server = await GetAsync();

    // Shared by every class for the whole run: stopped at process exit, not when one class is done with it.
    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().GetAwaiter().GetResult();
        return server;
    }
}
