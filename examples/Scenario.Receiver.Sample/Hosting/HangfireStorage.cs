using Hangfire;
using Hangfire.PostgreSql;

namespace Scenario.Receiver.Sample.Hosting;

/// <summary>
/// Chooses Hangfire's storage: PostgreSQL when <c>ConnectionStrings:Hangfire</c> is set, so several instances
/// of the service share one queue and one set of task records; in-memory otherwise.
/// </summary>
internal static class HangfireStorage
{
    /// <summary>The connection string's name: <c>ConnectionStrings:Hangfire</c>, or <c>ConnectionStrings__Hangfire</c> in the environment.</summary>
    public const string ConnectionStringName = "Hangfire";

    /// <summary>The sample's <see cref="PostgreSqlStorageOptions.InvisibilityTimeout"/> unless <c>Hangfire:InvisibilityTimeout</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultInvisibilityTimeout = TimeSpan.FromMinutes(1);

    public static IGlobalConfiguration UseSampleStorage(this IGlobalConfiguration hangfire, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // One instance only, and jobs die with the process: right for the demo and for development.
            return hangfire.UseInMemoryStorage();
        }

        return hangfire.UsePostgreSqlStorage(
            connection => connection.UseNpgsqlConnection(connectionString),
            new PostgreSqlStorageOptions
            {
                // Without it a job that runs longer than InvisibilityTimeout is handed to a second worker while
                // the first still runs it: the work would run twice at once. With it, a running job keeps
                // renewing its claim.
                UseSlidingInvisibilityTimeout = true,

                // How long a job claimed by an instance that died stays invisible: its running jobs are taken
                // over by the other instances within about a minute. Safe to keep short only because of the
                // sliding option above (a live worker renews its claim well within this time). Hangfire:InvisibilityTimeout
                // sets another (the kill test takes 10 s, so that its takeover does not keep CI waiting).
                InvisibilityTimeout = configuration.GetValue("Hangfire:InvisibilityTimeout", DefaultInvisibilityTimeout),

                // How often an idle worker looks for new jobs. The default (15 s) would add up to 15 s before a
                // task starts; half a second keeps it prompt, and with several instances the polling is still
                // only a few cheap queries a second.
                QueuePollInterval = TimeSpan.FromMilliseconds(500),

                // The schema is created or migrated at start-up, so a fresh database needs no manual step.
                PrepareSchemaIfNecessary = true,

                // When a held lock is considered abandoned (its holder died) and broken. It must exceed the longest
                // time a lock is held. The sample keeps its task records in the PostgreSQL task store (below), whose
                // report lease does not use these locks; with the records in Hangfire's storage the receiver holds a
                // task's lock while it posts the status, and refuses to start unless this is at least
                // Scenario:Reporting:RequestTimeout + 30 s (2.5 min by default). A minute frees Hangfire's own locks
                // of a crashed instance quickly.
                DistributedLockTimeout = TimeSpan.FromMinutes(1),
            });
    }

    /// <summary>
    /// With PostgreSQL, the task records go into a table of the same database (Scenario:TaskStore), unless the
    /// configuration names another: about half the database round trips per task of keeping them in
    /// Hangfire's hashes and locks (docs/benchmarks.md). Decided by the storage in use, not the setting alone:
    /// a host under test that swaps in Hangfire.InMemory (UseScenarioStandIn) keeps its tasks there too.
    /// </summary>
    public static IServiceCollection UseSampleTaskStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        services.AddOptions<ScenarioReceiverOptions>().PostConfigure<JobStorage>((options, storage) =>
        {
            if (storage is PostgreSqlStorage && string.IsNullOrWhiteSpace(options.TaskStore.ConnectionString))
            {
                options.TaskStore.ConnectionString = connectionString;
            }
        });
        return services;
    }
}
