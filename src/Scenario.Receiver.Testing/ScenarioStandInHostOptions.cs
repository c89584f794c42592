using Hangfire;

namespace Scenario.Receiver.Testing;

/// <summary>
/// How <c>UseScenarioStandIn</c> sets up the Hangfire of the host under test. The defaults suit a test:
/// a fresh in-memory storage per host and a server that notices scheduled retries within a fraction of a second.
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
    /// Adjusts the host's Hangfire server after the test defaults (<see cref="DefaultWorkerCount"/> workers,
    /// 100 ms schedule polling and cancellation checks, 5 s shutdown timeout); <see langword="null"/> by default.
    /// </summary>
    public Action<BackgroundJobServerOptions>? ConfigureServer { get; set; }
}
