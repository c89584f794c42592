using System.Globalization;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The per-task record, kept as a hash in Hangfire's job storage so that every instance sharing the
/// storage sees the same answer. Writes that decide something (accepting a task, marking it reported)
/// happen under the storage's distributed lock for that task, never an in-process one.
/// </summary>
internal sealed class TaskRecordStore
{
    private const string KeyPrefix = "scenario:task:";
    private const string AcceptLockSuffix = ":accept-lock";
    private const string ReportLockSuffix = ":report-lock";
    private const string DecideLockSuffix = ":decide-lock";
    private const string JobIdField = "JobId";
    internal const string ReportJobIdField = "ReportJobId";
    private const string QueueField = "Queue";
    private const string UndeliveredSetKey = "scenario:undelivered";
    private const string UnreportedSetKey = "scenario:unreported";
    private const string RecoveringSetKey = "scenario:recovering";
    private const string SweepLockKey = "scenario:sweep-lock";
    private const string WorkflowField = "WorkflowInstanceId";
    private const string ActionField = "Action";
    private const string AcceptedAtField = "AcceptedAt";
    private const string OutcomeField = "Outcome";
    private const string ReportedStatusField = "ReportedStatus";
    private const string ReportedAtField = "ReportedAt";

    /// <summary>Set while a task waits for an explicit completion; other code (a sweeper) leaves such tasks alone.</summary>
    internal const string DeferredUntilField = "DeferredUntil";
    private const string DeadlineJobIdField = "DeadlineJobId";
    private const string CancelledByScenarioAtField = "CancelledByScenarioAt";

    /// <summary>
    /// What a delivery waits for the report lock beyond <see cref="ScenarioReportingOptions.RequestTimeout"/>:
    /// room for the storage round trips of the delivery that holds it.
    /// </summary>
    internal static readonly TimeSpan ReportLockMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A sweep waits this long for another instance's sweep to end, then skips its turn: one sweep at a time
    /// is enough, and the per-task report lock keeps even two from reporting a task twice.
    /// </summary>
    internal static readonly TimeSpan SweepLockTimeout = TimeSpan.FromSeconds(1);

    /// <summary>An HTTP request waits this long at most for a concurrent duplicate to be accepted.</summary>
    internal static readonly TimeSpan AcceptLockTimeout = TimeSpan.FromSeconds(15);

    private readonly JobStorage _storage;
    private readonly TimeSpan _retention;

    public TaskRecordStore(JobStorage storage, IOptions<ScenarioReceiverOptions> options)
    {
        _storage = storage;
        _retention = options.Value.RecordRetention;
        ReportLockTimeout = ReportLockTimeoutFor(options.Value.Reporting);
    }

    /// <summary>
    /// How long a delivery waits for a task's report lock. Longer than one post can take, so a second delivery
    /// of the task (a rerun of its job, another instance) waits until the post in flight has its answer and
    /// then finds the task reported, instead of giving up while that post may still be taken by Scenario.
    /// </summary>
    internal TimeSpan ReportLockTimeout { get; }

    internal static TimeSpan ReportLockTimeoutFor(ScenarioReportingOptions reporting) => reporting.RequestTimeout + ReportLockMargin;

    /// <summary>Opens a connection holding the task's accept lock (taken while a RestCall is accepted).</summary>
    public LockedTask LockForAccept(string taskInstanceId) => Lock(taskInstanceId, AcceptLockSuffix, AcceptLockTimeout);

    /// <summary>
    /// Opens a connection holding the task's report lock, held across the post to Scenario so that two runs
    /// of a report job never both post. A lock of its own, so a slow Scenario does not hold up duplicate RestCalls.
    /// </summary>
    public LockedTask LockForReport(string taskInstanceId) => Lock(taskInstanceId, ReportLockSuffix, ReportLockTimeout);

    /// <summary>
    /// Opens a connection holding the task's decide lock, under which its outcome is decided once: by the work,
    /// an explicit completion, a deadline or Scenario's cancellation, whichever comes first on any instance.
    /// A lock of its own, so a decision never waits for a post to Scenario in flight.
    /// </summary>
    public LockedTask LockForDecide(string taskInstanceId) => Lock(taskInstanceId, DecideLockSuffix, AcceptLockTimeout);

    /// <summary>
    /// Stores the outcome unless the task already has one (or Scenario cancelled it): the first decision wins,
    /// whichever path makes it. Says what the task had when it was not this one.
    /// </summary>
    public TaskDecision TryDecide(string taskInstanceId, string outcomeJson)
    {
        using var locked = LockForDecide(taskInstanceId);
        if (TaskDecision.Refusal(locked.Read()) is { } refusal)
        {
            return refusal;
        }

        locked.WriteOutcome(outcomeJson);
        return TaskDecision.Decided;
    }

    /// <summary>Holds the lock that lets one instance sweep at a time; throws <see cref="DistributedLockTimeoutException"/> while another sweeps.</summary>
    public IDisposable LockForSweep()
    {
        var connection = _storage.GetConnection();
        try
        {
            return new HeldLock(connection, connection.AcquireDistributedLock(SweepLockKey, SweepLockTimeout));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private LockedTask Lock(string taskInstanceId, string suffix, TimeSpan timeout)
    {
        var connection = _storage.GetConnection();
        try
        {
            var handle = connection.AcquireDistributedLock(Key(taskInstanceId) + suffix, timeout);
            return new LockedTask(this, connection, handle, taskInstanceId);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public TaskRecord? Find(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        return Read(connection, taskInstanceId);
    }

    internal static TaskRecord? Read(IStorageConnection connection, string taskInstanceId)
    {
        var fields = connection.GetAllEntriesFromHash(Key(taskInstanceId));
        if (fields is null || fields.Count == 0)
        {
            return null;
        }

        return new TaskRecord(
            taskInstanceId,
            fields.GetValueOrDefault(WorkflowField),
            fields.GetValueOrDefault(JobIdField),
            fields.GetValueOrDefault(ReportJobIdField),
            fields.GetValueOrDefault(QueueField),
            fields.GetValueOrDefault(ActionField),
            ParseTime(fields.GetValueOrDefault(AcceptedAtField)),
            fields.GetValueOrDefault(OutcomeField),
            fields.GetValueOrDefault(ReportedStatusField),
            ParseTime(fields.GetValueOrDefault(ReportedAtField)),
            ParseTime(fields.GetValueOrDefault(DeferredUntilField)),
            fields.GetValueOrDefault(DeadlineJobIdField),
            ParseTime(fields.GetValueOrDefault(CancelledByScenarioAtField)));
    }

    internal void WriteAccepted(IStorageConnection connection, string taskInstanceId, string? workflowInstanceId, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt)
        => Write(connection, taskInstanceId,
        [
            new(JobIdField, jobId),
            new(QueueField, queue),
            new(WorkflowField, workflowInstanceId ?? string.Empty),
            new(ActionField, entryKey),
            new(AcceptedAtField, FormatTime(acceptedAt)),
        ],
        // In the accept's own transaction: no task is accepted without the sweeper knowing of it.
        transaction => transaction.AddToSet(UnreportedSetKey, taskInstanceId.ToLowerInvariant()));

    /// <summary>The work's outcome: stored only when nothing decided the task before (<see cref="TryDecide"/>).</summary>
    public bool WriteOutcome(string taskInstanceId, string outcomeJson) => TryDecide(taskInstanceId, outcomeJson).IsDecided;

    internal void WriteOutcome(IStorageConnection connection, string taskInstanceId, string outcomeJson)
        => Write(connection, taskInstanceId, [new(OutcomeField, outcomeJson)]);

    internal void WriteDeferred(IStorageConnection connection, string taskInstanceId, DateTimeOffset until, string deadlineJobId)
        => Write(connection, taskInstanceId, [new(DeferredUntilField, FormatTime(until)), new(DeadlineJobIdField, deadlineJobId)]);

    internal void WriteCancelledByScenario(IStorageConnection connection, string taskInstanceId, DateTimeOffset at)
        => Write(connection, taskInstanceId, [new(CancelledByScenarioAtField, FormatTime(at))]);

    internal void WriteReported(IStorageConnection connection, string taskInstanceId, string status, DateTimeOffset reportedAt)
        // One transaction, not two: each commit is a storage round trip (a dispatcher hand-off on InMemory, a
        // database transaction on PostgreSQL), paid once per task; see docs/benchmarks.md. It is also atomic now:
        // a task is never marked reported while still counted as undelivered.
        => Write(connection, taskInstanceId,
        [
            new(ReportedStatusField, status),
            new(ReportedAtField, FormatTime(reportedAt)),
        ],
        transaction => Forget(transaction, taskInstanceId));

    /// <summary>
    /// The same, on a connection of its own: for a second try when the first failed, since the locked
    /// connection may be the one the storage dropped. The report lock is held all the while, so no other
    /// delivery posts in between.
    /// </summary>
    internal void WriteReported(string taskInstanceId, string status, DateTimeOffset reportedAt)
    {
        using var connection = _storage.GetConnection();
        WriteReported(connection, taskInstanceId, status, reportedAt);
    }


    /// <summary>A reported task (or one whose record is gone) leaves every set that counts tasks still waiting.</summary>
    private static void Forget(IWriteOnlyTransaction transaction, string taskInstanceId)
    {
        var id = taskInstanceId.ToLowerInvariant();
        transaction.RemoveFromSet(UndeliveredSetKey, id);
        transaction.RemoveFromSet(UnreportedSetKey, id);
        transaction.RemoveFromSet(RecoveringSetKey, id);
    }

    /// <summary>Stops sweeping a task whose record is gone: there is nothing left to report it with.</summary>
    public void Forget(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        Forget(transaction, taskInstanceId);
        transaction.Commit();
    }

    /// <summary>The accepted tasks with no terminal status reported yet, across instances: what the sweeper looks at.</summary>
    public IReadOnlyCollection<string> UnreportedTaskIds()
    {
        using var connection = _storage.GetConnection();
        return connection.GetAllItemsFromSet(UnreportedSetKey);
    }

    /// <summary>Counts, across instances, a task the sweeper found stuck until it is reported; the health check shows these.</summary>
    public void MarkRecovering(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(RecoveringSetKey, taskInstanceId.ToLowerInvariant());
        transaction.Commit();
    }

    /// <summary>What the health check shows, in one connection: statuses waiting for Scenario, tasks being recovered, tasks not yet reported.</summary>
    public (long Undelivered, long Recovering, long Unreported) CountWaiting()
    {
        using var connection = _storage.GetConnection();
        return (Count(connection, UndeliveredSetKey), Count(connection, RecoveringSetKey), Count(connection, UnreportedSetKey));
    }

    private static long Count(IStorageConnection connection, string setKey)
        => connection is JobStorageConnection counting
            ? counting.GetSetCount(setKey)
            : connection.GetAllItemsFromSet(setKey).Count;

    /// <summary>
    /// Whether the task waits, by design, for someone to complete it (a deadline in its record): its work job
    /// ends Succeeded without reporting, and the sweeper must leave it alone.
    /// </summary>
    public bool IsDeferred(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        var deferredUntil = connection is JobStorageConnection fields
            ? fields.GetValueFromHash(Key(taskInstanceId), DeferredUntilField)
            : connection.GetAllEntriesFromHash(Key(taskInstanceId))?.GetValueOrDefault(DeferredUntilField);
        return !string.IsNullOrEmpty(deferredUntil);
    }

    /// <summary>Records the report job that retries a delivery, for the dashboard and the tests.</summary>
    public void WriteReportJob(string taskInstanceId, string reportJobId)
    {
        using var connection = _storage.GetConnection();
        Write(connection, taskInstanceId, [new(ReportJobIdField, reportJobId)]);
    }

    /// <summary>
    /// Remembers, across instances, that a terminal status is waiting for Scenario (retrying or refused);
    /// the health check counts these. Delivery removes the task again.
    /// </summary>
    public void MarkUndelivered(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(UndeliveredSetKey, taskInstanceId.ToLowerInvariant());
        transaction.Commit();
    }

    /// <summary>How many tasks have a terminal status that has not reached Scenario yet.</summary>
    public long CountUndelivered()
    {
        using var connection = _storage.GetConnection();
        return Count(connection, UndeliveredSetKey);
    }

    private void Write(IStorageConnection connection, string taskInstanceId, KeyValuePair<string, string>[] fields, Action<IWriteOnlyTransaction>? alsoInTransaction = null)
    {
        var key = Key(taskInstanceId);
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(key, fields);
        if (transaction is JobStorageTransaction expiring)
        {
            expiring.ExpireHash(key, _retention);
        }

        alsoInTransaction?.Invoke(transaction);
        transaction.Commit();
    }

    /// <summary>Task ids arrive in any letter case; the record is one per GUID.</summary>
    internal static string Key(string taskInstanceId) => KeyPrefix + taskInstanceId.ToLowerInvariant();

    private static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;

    private sealed class HeldLock(IStorageConnection connection, IDisposable distributedLock) : IDisposable
    {
        public void Dispose()
        {
            distributedLock.Dispose();
            connection.Dispose();
        }
    }
}
