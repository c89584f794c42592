using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// A test class on the run's PostgreSQL server: each test gets a Scenario stand-in and, when the server is available,
/// an empty database of its own (<see cref="Database"/>). Each test skips itself when it is not
/// (<c>Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason)</c>): a skip is the test's to say.
/// </summary>
public abstract class PostgresDatabaseTest(SharedPostgresServer postgres) : IClassFixture<SharedPostgresServer>, IAsyncLifetime
{
    protected SharedPostgresServer Postgres { get; } = postgres;

    protected ScenarioStandIn Scenario { get; private set; } = null!;

    /// <summary>The connection string of this test's database.</summary>
    protected string Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Scenario = await ScenarioStandIn.StartAsync();
        if (Postgres.IsAvailable)
        {
            Database = await Postgres.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync() => await Scenario.DisposeAsync();
}
