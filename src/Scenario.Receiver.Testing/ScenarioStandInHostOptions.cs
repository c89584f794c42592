using Hangfire;

namespace Scenario.Receiver.Testing;

/// <summary>
/// How <c>UseScenarioStandIn</c> sets up the Hangfire and the task store of the host under test. The defaults suit a
/// test: a fresh in-memory storage per host, the task records beside it (never in a database the environment names)
/// and a server that notices scheduled retries within a fraction of a second.
/// </summary>
public sealed class ScenarioStandInHostOptions
{
    /// <summary>The default <see cref="BackgroundJobServerOptions.WorkerCount"/> of the host's server: 4.</summary>
    public const int DefaultWorkerCount = 4;

    /// <summary>
    /// Creates the host's job storage, once per host; <see langword="null"/> (the default) for a new
    /// <c>Hangfire.InMemory</c> storage. Give each host a storage of its own: a shared one lets another host's
    /// server run this host's jobs.
    /// </summary>
    public Func<IServiceProvider, JobStorage>? Storage { get; set; }

    /// <summary>
    /// Whether the host keeps the task store the application configures (<c>Scenario:TaskStore:Kind</c> and
    /// <c>Scenario:TaskStore:ConnectionString</c>); <see langword="false"/> by default. By default <c>UseScenarioStandIn</c>
    /// sets the kind to <c>InMemory</c> (<c>Automatic</c> with a <see cref="Storage"/> given) and empties the connection
    /// string over appsettings and the environment, so a test never writes task records into the database a developer's
    /// machine or CI is configured with: the records live beside the host's job storage (in memory on Hangfire.InMemory,
    /// the default, or in the <see cref="Storage"/> given). Set <see langword="true"/> for a test of the PostgreSQL task
    /// store, and give the host a throwaway database of its own in its configuration. Options the application sets in code
    /// are not configuration: a <c>TaskStore.Kind</c> set there is kept either way.
    /// </summary>
    public bool UseApplicationTaskStore { get; set; }

    /// <summary>
    /// Adjusts the host's Hangfire server after the test defaults (<see cref="DefaultWorkerCount"/> workers,
    /// 100 ms schedule polling and cancellation checks, 5 s shutdown timeout); <see langword="null"/> by default.
    /// </summary>
    public Action<BackgroundJobServerOptions>? ConfigureServer { get; set; }
}
