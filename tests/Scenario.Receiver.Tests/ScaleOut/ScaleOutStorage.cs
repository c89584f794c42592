using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// Hangfire's PostgreSQL storage as one receiver instance builds it. Every instance builds its own, as
/// separate processes would, even when two share a connection string.
/// </summary>
public static class ScaleOutStorage
{
    /// <summary>
    /// Short enough that a dead instance's jobs come back quickly in a test, long enough that a live job,
    /// whose fetch is refreshed every fifth of it by the sliding timeout, is never taken from its worker
    /// on a busy two-core machine.
    /// </summary>
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromSeconds(10);

    /// <param name="connectionString">The test's database.</param>
    /// <param name="invisibilityTimeout">Default <see cref="InvisibilityTimeout"/>; an outage test needs one longer than its outage.</param>
    public static PostgreSqlStorage Create(string connectionString, TimeSpan? invisibilityTimeout = null)
    {
        var options = new PostgreSqlStorageOptions
        {
            // Without it a job running longer than the invisibility timeout is fetched again by another
            // worker while it still runs.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = invisibilityTimeout ?? InvisibilityTimeout,
            // A test waits for the next poll after each enqueue; 15 s by default.
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
            PrepareSchemaIfNecessary = true,
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options, null), options);
        TaskStoreUnderTest.RememberDatabase(storage, connectionString);
        return storage;
    }
}
