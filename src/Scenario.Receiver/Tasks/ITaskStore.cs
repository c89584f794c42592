namespace Scenario.Receiver.Tasks;

/// <summary>
/// Where every instance sharing the storage keeps what it knows of a task: accepted once, decided once, reported
/// once. Three implementations behind it: <see cref="HangfireStorage.HangfireTaskStore"/>, a hash and distributed
/// locks through Hangfire's generic storage API, for every storage; PostgreSql.PostgreSqlTaskStore, one table
/// with a unique key and conditional updates, for fewer round trips where the instances share a PostgreSQL
/// database; and InMemory.InMemoryTaskStore, a dictionary in the process, where the job storage is
/// Hangfire.InMemory and so lives in this process alone (see docs/benchmarks.md).
/// </summary>
internal interface ITaskStore
{
    /// <summary>Where the records are, without a credential, e.g. <c>hangfire</c> or <c>postgresql:jobs/scenario_receiver</c>: instances sharing a storage must agree (<see cref="TaskStoreMarker"/>).</summary>
    string Name { get; }

    /// <summary>What the health check calls the store when it cannot be reached, e.g. <c>The Hangfire job storage</c>.</summary>
    string Description { get; }

    /// <summary>
    /// How long a delivery waits for a task's report lock: longer than one post can take, so a second delivery
    /// of the task (a rerun of its job, another instance) waits until the post in flight has its answer and
    /// then finds the task reported, instead of giving up while that post may still be taken by Scenario.
    /// </summary>
    TimeSpan ReportLockTimeout { get; }

    /// <summary>
    /// Accepts a task once across instances: either finds the job of a task accepted before (a retried or
    /// replayed RestCall, the same call at another instance) or runs <paramref name="createWorkJob"/> and
    /// records the job it made. A concurrent accept of the same task waits for this one.
    /// </summary>
    TaskAcceptance Accept(string taskInstanceId, string entryKey, string? workflowInstanceId, string queue, Func<string> createWorkJob);

    TaskRecord? Find(string taskInstanceId);

    /// <summary>
    /// Stores the outcome unless the task already has one (or Scenario cancelled it): the first decision wins,
    /// whichever path makes it. Says what the task had when it was not this one.
    /// </summary>
    TaskDecision TryDecide(string taskInstanceId, string outcomeJson);

    /// <summary>
    /// Holds the task's decide lock, under which its outcome is decided once: by the work, an explicit
    /// completion, a deadline or Scenario's cancellation, whichever comes first on any instance. Apart from the
    /// report lock, so a decision never waits for a post to Scenario in flight.
    /// </summary>
    IDecideLock LockForDecide(string taskInstanceId);

    /// <summary>
    /// Holds the task's report lock across a post to Scenario, so that two deliveries of the task never both
    /// post and progress never overtakes a terminal status. Throws <see cref="Hangfire.Storage.DistributedLockTimeoutException"/>
    /// after <see cref="ReportLockTimeout"/>.
    /// </summary>
    IReportLock LockForReport(string taskInstanceId);

    /// <summary>Records the report job that retries a delivery, for the dashboard and the tests.</summary>
    void WriteReportJob(string taskInstanceId, string reportJobId);

    /// <summary>
    /// Remembers, across instances, that a terminal status is waiting for Scenario (retrying or refused); the
    /// health check counts these. Delivery clears it again.
    /// </summary>
    void MarkUndelivered(string taskInstanceId);

    /// <summary>How many tasks have a terminal status that has not reached Scenario yet.</summary>
    long CountUndelivered();

    /// <summary>What the health check shows, in one read: statuses waiting for Scenario, tasks being recovered, tasks not yet reported.</summary>
    (long Undelivered, long Recovering, long Unreported) CountWaiting();

    /// <summary>The accepted tasks with no terminal status reported yet, across instances: what the sweeper looks at.</summary>
    IReadOnlyCollection<string> UnreportedTaskIds();

    /// <summary>Counts, across instances, a task the sweeper found stuck until it is reported; the health check shows these.</summary>
    void MarkRecovering(string taskInstanceId);

    /// <summary>Stops sweeping a task whose record is gone: there is nothing left to report it with.</summary>
    void Forget(string taskInstanceId);

    /// <summary>
    /// Whether the task waits, by design, for someone to complete it (a deadline in its record): its work job
    /// ends Succeeded without reporting, and the sweeper must leave it alone.
    /// </summary>
    bool IsDeferred(string taskInstanceId);

    /// <summary>Holds the lock that lets one instance sweep at a time; throws <see cref="Hangfire.Storage.DistributedLockTimeoutException"/> while another sweeps.</summary>
    IDisposable LockForSweep();

    /// <summary>Removes the records past <see cref="ScenarioReceiverOptions.RecordRetention"/> where the storage does not expire them itself; the sweeper calls it.</summary>
    void RemoveExpired();
}
