using Hangfire.States;
using Hangfire.Storage;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// Where every instance sharing the storage keeps what it knows of a task: accepted once, decided once, reported
/// once. Three implementations behind it: <see cref="HangfireStorage.HangfireTaskStore"/>, a hash and distributed
/// locks through Hangfire's generic storage API, for every storage; PostgreSql.PostgreSqlTaskStore (package
/// Scenario.Receiver.PostgreSql), one table with a unique key and conditional updates, for fewer round trips where the
/// instances share a PostgreSQL database; and InMemory.InMemoryTaskStore, a dictionary in the process, where the job storage is
/// Hangfire.InMemory and so lives in this process alone (see docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Asynchronous, so that no request or job thread sits in a storage call or a lock wait: the PostgreSQL store awaits
/// Npgsql's asynchronous API, and every wait for a task's lock or lease is awaited with the caller's token. A
/// <see cref="ValueTask"/>, because the in-memory store completes synchronously and should cost no allocation. The
/// Hangfire store completes synchronously too: Hangfire's generic storage API has no asynchronous form (see there).
/// </remarks>
internal interface ITaskStore
{
    /// <summary>Where the records are, without a credential, e.g. <c>hangfire</c> or <c>postgresql:jobs/scenario_receiver</c>: instances sharing a storage must agree (<see cref="TaskStoreMarker"/>).</summary>
    string Name { get; }

    /// <summary>What the health check calls the store when it cannot be reached, e.g. <c>The Hangfire job storage</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Whether the records are in Hangfire's job storage itself, their locks Hangfire's distributed locks: then reaching
    /// the store is reaching the job storage (the health check asks once), and a storage that breaks locks after a
    /// timeout (Hangfire.PostgreSql's DistributedLockTimeout) breaks the report lock. False for a store of its own.
    /// </summary>
    bool InJobStorage => false;

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
    /// <remarks>
    /// Task ids reach every member canonical (a GUID in lower case, <see cref="Request.TaskHeaderReader.Canonical"/>): the edges
    /// make them so, and the stores take them as they are.
    /// </remarks>
    ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default);

    ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the outcome unless the task already has one (or Scenario cancelled it): the first decision wins,
    /// whichever path makes it, and who made it is kept with it. Says what the task had when it was not this one. The
    /// outcome is serialized, where the store keeps text, inside the store.
    /// </summary>
    ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Holds the task's decide lock, under which its outcome is decided once: by the work, an explicit
    /// completion, a deadline or Scenario's cancellation, whichever comes first on any instance. Apart from the
    /// report lock, so a decision never waits for a post to Scenario in flight. <paramref name="cancellationToken"/>
    /// ends the wait where the store waits itself (not inside Hangfire's distributed lock).
    /// </summary>
    ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Holds the task's report lock across a post to Scenario, so that two deliveries of the task never both
    /// post and progress never overtakes a terminal status. Throws <see cref="Hangfire.Storage.DistributedLockTimeoutException"/>
    /// after <see cref="ReportLockTimeout"/>.
    /// </summary>
    ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a progress post, in one step with the report lock's guarantee: unless the task is reported, cancelled or
    /// has an outcome (but, <paramref name="afterOwnWork"/>, the work's own: <see cref="TaskRecord.TakesProgress"/>), and
    /// unless a terminal post holds the report lock, leaves a progress lease until <paramref name="until"/> in the record
    /// and says true. A terminal delivery that finds the lease unexpired waits for it. Never waits long itself: a report
    /// lock held means a terminal post, and the progress is refused.
    /// </summary>
    ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken = default);

    /// <summary>The progress post begun with <paramref name="until"/> has its answer: its lease goes, unless a later post's replaced it.</summary>
    ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Records the report job that retries a delivery, for the dashboard and the tests.</summary>
    ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Remembers, across instances, that a terminal status is waiting for Scenario (retrying or refused); the
    /// health check counts these. Delivery clears it again.
    /// </summary>
    ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>What the health check shows, in one read: statuses waiting for Scenario, tasks being recovered, tasks not yet reported.</summary>
    ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The unreported tasks whose next look by the sweeper is due by <paramref name="now"/>, the longest due first, at
    /// most <paramref name="max"/>: read from an index of the due times (a partial index, a scored set, a sorted set), so
    /// a sweep costs what is due, not what is pending. Every accepted task has a due time (<see cref="ScenarioReceiverOptions.SweepHorizon"/>
    /// after its accept) until it is reported.
    /// </summary>
    ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    /// <summary>Sets when the sweeper looks at an unreported task next.</summary>
    ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes an unreported task due for the sweeper at once, from a Hangfire state filter (its work or report job ended
    /// Failed or Deleted): synchronously, in the state change's <paramref name="transaction"/> where the records are in
    /// Hangfire's storage.
    /// </summary>
    void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId);

    /// <summary>
    /// The deferred tasks whose question to Scenario (did it cancel them?) is due by <paramref name="now"/>, the longest due
    /// first, at most <paramref name="max"/>, from an index of the due times. A task may be listed after something settled
    /// it; the check looks at its record and lets it go.
    /// </summary>
    ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    /// <summary>Sets when a deferred task is asked about next; null: never again (it is settled, or past its deadline).</summary>
    ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default);

    /// <summary>Counts, across instances, a task the sweeper found stuck until it is reported; the health check shows these.</summary>
    ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>Stops sweeping a task whose record is gone: there is nothing left to report it with.</summary>
    ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the task waits, by design, for someone to complete it (a deadline in its record): its work job
    /// ends Succeeded without reporting, and the sweeper must leave it alone.
    /// </summary>
    ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Holds the lock that lets one instance sweep at a time; throws <see cref="Hangfire.Storage.DistributedLockTimeoutException"/>
    /// while another sweeps. Hangfire's distributed lock on every store (<see cref="SweepLock"/>), taken once a sweep with
    /// a wait of one second at most.
    /// </summary>
    ValueTask<IDisposable> LockForSweepAsync();

    /// <summary>
    /// The record, for a Hangfire state filter (<see cref="Recovery.ReportWhenDeletedFilter"/>): Hangfire applies a state
    /// synchronously, inside its own storage transaction, and a filter cannot await. Read synchronously, as Hangfire's own
    /// storage calls around it are, and without waiting for any lock; nothing else calls it.
    /// </summary>
    TaskRecord? FindDuringStateChange(ApplyStateContext context, string taskInstanceId);

    /// <summary>
    /// Records the report job a state filter created, synchronously as <see cref="FindDuringStateChange"/> reads: in the
    /// state change's own <paramref name="transaction"/> where the records are in Hangfire's storage.
    /// </summary>
    void WriteReportJobDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId, string reportJobId);

    /// <summary>
    /// One page of the accepted tasks, newest first by their acceptance, for the dashboard's Scenario page: never a
    /// read of every record (an index or a sorted set orders them), so a page costs the same with 10,000 tasks.
    /// </summary>
    ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many terminal statuses wait for Scenario, synchronously: Hangfire renders its navigation menu (where the
    /// dashboard shows this count) synchronously, in one cheap read (a set's count, a partial index).
    /// </summary>
    long CountUndeliveredForMenu();

    /// <summary>Removes the records past <see cref="ScenarioReceiverOptions.RecordRetention"/> where the storage does not expire them itself; the sweeper calls it.</summary>
    ValueTask RemoveExpiredAsync(CancellationToken cancellationToken = default);
}
