using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// The per-task record, kept as a hash in Hangfire's job storage so that every instance sharing the
/// storage sees the same answer: the generic path, for every storage. Writes that decide something
/// (accepting a task, deciding its outcome, marking it reported) happen under the storage's distributed lock
/// for that task, never an in-process one.
/// </summary>
/// <remarks>
/// Its members complete synchronously although <see cref="ITaskStore"/> is asynchronous: Hangfire's generic storage
/// API (<see cref="IStorageConnection"/>, its transactions and distributed locks) has no asynchronous form, and this
/// store exists to work on every storage through that API alone. So a lock wait here is Hangfire's own, inside
/// <see cref="IStorageConnection.AcquireDistributedLock"/>, never one of ours; the faster stores are asynchronous.
/// </remarks>
internal sealed class HangfireTaskStore : ITaskStore
{
    private const string KeyPrefix = "scenario:task:";
    private const string AcceptLockSuffix = ":accept-lock";
    private const string ReportLockSuffix = ":report-lock";
    private const string DecideLockSuffix = ":decide-lock";
    private const string JobIdField = "JobId";
    internal const string ReportJobIdField = "ReportJobId";
    private const string QueueField = "Queue";
    private const string UndeliveredSetKey = "scenario:undelivered";

    /// <summary>The unreported tasks, each scored by the time of the sweeper's next look (<see cref="Score"/>).</summary>
    private const string UnreportedSetKey = "scenario:unreported";

    /// <summary>The deferred tasks, each scored by the time of its next cancellation check.</summary>
    private const string CancellationCheckSetKey = "scenario:cancellation-checks";
    private const string RecoveringSetKey = "scenario:recovering";

    /// <summary>Every accepted task, scored by its acceptance (Unix milliseconds): the dashboard pages it, newest first.</summary>
    private const string AcceptedSetKey = "scenario:accepted";

    /// <summary>
    /// The accepted tasks of one <see cref="TaskStanding"/> (the enum's name follows), each scored by its acceptance, negated
    /// (<see cref="NewestFirst"/>): the dashboard pages a standing's list from its lowest score. Every write that can move a
    /// task's standing moves it here in the write's own transaction (<see cref="MoveStanding"/>).
    /// </summary>
    private const string StandingSetPrefix = "scenario:standing:";

    /// <summary>How many expired entries of <see cref="AcceptedSetKey"/> one removal takes at most.</summary>
    private const int ExpiredBatch = 1000;
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
    private const string CancellationCheckJobIdField = "CancellationCheckJobId";

    /// <summary>"1" while a terminal post is under way, empty once its answer is known (<see cref="TaskRecord.UnfinishedPost"/>).</summary>
    private const string UnfinishedPostField = "UnfinishedPost";
    private const string StatusUrlField = "StatusUrl";
    private const string DecidedByField = "DecidedBy";
    private const string ProgressUntilField = "ProgressUntil";
    private const string DecidedAtField = "DecidedAt";
    private const string DeliveryField = "Delivery";

    private readonly JobStorage _storage;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly TimeSpan _sweepHorizon;

    public HangfireTaskStore(JobStorage storage, IOptions<ScenarioReceiverOptions> options, TimeProvider time)
    {
        _storage = storage;
        _time = time;
        _retention = options.Value.RecordRetention;
        _sweepHorizon = options.Value.EffectiveSweepHorizon;
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);
    }

    public string Name => "hangfire";

    public string Description => "The Hangfire job storage";

    public bool InJobStorage => true;

    public TimeSpan ReportLockTimeout { get; }

    /// <summary>Under the task's accept lock: the record says whether a job exists already, else the job is made and recorded.</summary>
    public async ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
    {
        using var locked = await LockAsync(taskInstanceId, AcceptLockSuffix, TaskLocks.AcceptLockTimeout).ConfigureAwait(false);
        var found = locked.Read();
        if (found is { JobId: { } existingJobId } existing)
        {
            return TaskAcceptance.Existing(existingJobId, existing.EntryKey);
        }

        var jobId = await createWorkJob().ConfigureAwait(false);
        locked.WriteAccepted(workflowInstanceId, statusUrl, jobId, queue, entryKey, _time.GetUtcNow(), found);
        return TaskAcceptance.New(jobId);
    }

    /// <summary>
    /// Opens a connection holding the task's accept lock, taken on the caller's own context: for the benchmarks, which
    /// time its parts. The store itself takes its locks through <see cref="LockAsync"/>.
    /// </summary>
    internal HangfireTaskLock LockForAccept(string taskInstanceId)
    {
        var connection = _storage.GetConnection();
        try
        {
            return new HangfireTaskLock(this, connection, connection.AcquireDistributedLock(Key(taskInstanceId) + AcceptLockSuffix, TaskLocks.AcceptLockTimeout), taskInstanceId);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A lock of its own, so a slow Scenario does not hold up duplicate RestCalls or decisions.</summary>
    public async ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await LockAsync(taskInstanceId, ReportLockSuffix, ReportLockTimeout).ConfigureAwait(false);

    public async ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await LockAsync(taskInstanceId, DecideLockSuffix, TaskLocks.AcceptLockTimeout).ConfigureAwait(false);

    public async ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default)
    {
        using var locked = await LockAsync(taskInstanceId, DecideLockSuffix, TaskLocks.AcceptLockTimeout).ConfigureAwait(false);
        var before = locked.Read();
        if (TaskDecision.Refusal(before) is { } refusal)
        {
            return refusal;
        }

        locked.WriteOutcome(outcome, decidedBy);
        return TaskDecision.Decided(before);
    }

    /// <summary>Under the report lock, waited for briefly: a lock held longer is a terminal post, and the progress is moot.</summary>
    public async ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken = default)
    {
        HangfireTaskLock locked;
        try
        {
            locked = await LockAsync(taskInstanceId, ReportLockSuffix, TaskLocks.ProgressLockTimeout).ConfigureAwait(false);
        }
        catch (DistributedLockTimeoutException)
        {
            return false;
        }

        using (locked)
        {
            var record = locked.Read();
            if (record is not null && !record.TakesProgress(afterOwnWork))
            {
                return false;
            }

            var lease = record?.ProgressUntil > until ? record.ProgressUntil.Value : until;
            locked.WriteProgressUntil(FormatTime(lease));
            return true;
        }
    }

    /// <summary>Not under a lock: the lease is read and cleared in one short step, and a later post's lease is left alone.</summary>
    public ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        var current = connection is JobStorageConnection fields
            ? fields.GetValueFromHash(Key(taskInstanceId), ProgressUntilField)
            : connection.GetAllEntriesFromHash(Key(taskInstanceId))?.GetValueOrDefault(ProgressUntilField);
        if (ParseTime(current) == until)
        {
            Write(connection, taskInstanceId, [new(ProgressUntilField, string.Empty)]);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IDisposable> LockForSweepAsync() => SweepLock.TakeAsync(_storage, SweepLock.Sweep, TaskLocks.SweepLockTimeout);

    /// <summary>
    /// Takes one of the task's distributed locks on a thread of its own where the storage needs it (<see cref="DistributedLockThread"/>):
    /// held across awaits for one flow, it must never be taken for re-entrant because another flow, or an earlier holder on
    /// the same thread, held it.
    /// </summary>
    private async ValueTask<HangfireTaskLock> LockAsync(string taskInstanceId, string suffix, TimeSpan timeout)
    {
        var connection = _storage.GetConnection();
        try
        {
            var resource = Key(taskInstanceId) + suffix;
            var handle = await DistributedLockThread.AcquireAsync(_storage, connection, resource, timeout).ConfigureAwait(false);
            return new HangfireTaskLock(this, connection, handle, taskInstanceId);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        return ValueTask.FromResult(Read(connection, taskInstanceId));
    }

    /// <summary>On the state change's own connection.</summary>
    public TaskRecord? FindDuringStateChange(ApplyStateContext context, string taskInstanceId) => Read(context.Connection, taskInstanceId);

    /// <summary>In the state change's own transaction: the report job and the record that names it are written together.</summary>
    public void WriteReportJobDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId, string reportJobId)
        => transaction.SetRangeInHash(Key(taskInstanceId), [new(ReportJobIdField, reportJobId)]);

    internal static TaskRecord? Read(IStorageConnection connection, string taskInstanceId)
    {
        var fields = connection.GetAllEntriesFromHash(Key(taskInstanceId));
        if (fields is null || fields.Count == 0)
        {
            return null;
        }

        return new TaskRecord(
            fields.GetValueOrDefault(WorkflowField),
            fields.GetValueOrDefault(JobIdField),
            fields.GetValueOrDefault(ReportJobIdField),
            fields.GetValueOrDefault(QueueField),
            fields.GetValueOrDefault(ActionField),
            ParseTime(fields.GetValueOrDefault(AcceptedAtField)),
            fields.GetValueOrDefault(OutcomeField) is { Length: > 0 } outcome ? JsonSerializer.Deserialize(outcome, TaskJsonContext.Default.TaskOutcome) : null,
            fields.GetValueOrDefault(ReportedStatusField),
            ParseTime(fields.GetValueOrDefault(ReportedAtField)),
            ParseTime(fields.GetValueOrDefault(DeferredUntilField)),
            fields.GetValueOrDefault(DeadlineJobIdField),
            ParseTime(fields.GetValueOrDefault(CancelledByScenarioAtField)),
            fields.GetValueOrDefault(CancellationCheckJobIdField),
            !string.IsNullOrEmpty(fields.GetValueOrDefault(UnfinishedPostField)),
            fields.GetValueOrDefault(StatusUrlField) is { Length: > 0 } statusUrl ? statusUrl : null,
            Enum.TryParse<TaskDecider>(fields.GetValueOrDefault(DecidedByField), out var decidedBy) ? decidedBy : null,
            ParseTime(fields.GetValueOrDefault(ProgressUntilField)),
            ParseTime(fields.GetValueOrDefault(DecidedAtField)),
            fields.GetValueOrDefault(DeliveryField) is { Length: > 0 } delivery ? JsonSerializer.Deserialize(delivery, DeliveryNoteJsonContext.Default.DeliveryNote) : null);
    }

    /// <remarks><paramref name="before"/>: the record the accept found (a decision may precede the accept), null for none.</remarks>
    internal void WriteAccepted(IStorageConnection connection, string taskInstanceId, string? workflowInstanceId, string? statusUrl, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt, TaskRecord? before = null)
    {
        var after = (before ?? TaskRecord.Empty) with { JobId = jobId, Queue = queue, WorkflowInstanceId = workflowInstanceId, StatusUrl = statusUrl, EntryKey = entryKey, AcceptedAt = acceptedAt };
        var firstLook = Score(acceptedAt + _sweepHorizon);
        Write(
            connection,
            taskInstanceId,
            [
                new(JobIdField, jobId),
                new(QueueField, queue),
                new(WorkflowField, workflowInstanceId ?? string.Empty),
                new(StatusUrlField, statusUrl ?? string.Empty),
                new(ActionField, entryKey),
                new(AcceptedAtField, FormatTime(acceptedAt)),
            ],
            // In the accept's own transaction: no task is accepted without the sweeper knowing of it, and when to look.
            transaction =>
            {
                transaction.AddToSet(UnreportedSetKey, taskInstanceId, firstLook);
                transaction.AddToSet(AcceptedSetKey, taskInstanceId, acceptedAt.ToUnixTimeMilliseconds());
                MoveStanding(transaction, taskInstanceId, after);
            });
    }

    /// <summary>The outcome, and the task's move to its standing: <paramref name="before"/> is the record the decide lock read.</summary>
    internal TaskRecord WriteOutcome(IStorageConnection connection, string taskInstanceId, TaskRecord? before, TaskOutcome outcome, TaskDecider decidedBy)
    {
        var decidedAt = _time.GetUtcNow();
        var after = (before ?? TaskRecord.Empty) with { Outcome = outcome, DecidedBy = decidedBy, DecidedAt = decidedAt };
        Write(
            connection,
            taskInstanceId,
            [new(OutcomeField, JsonSerializer.Serialize(outcome, TaskJsonContext.Default.TaskOutcome)), new(DecidedByField, decidedBy.ToString()), new(DecidedAtField, FormatTime(decidedAt))],
            transaction =>
            {
                transaction.RemoveFromSet(CancellationCheckSetKey, taskInstanceId);
                MoveStanding(transaction, taskInstanceId, after);
            });
        return after;
    }

    /// <summary>A note that says Scenario refused the status (or the attempts ran out) moves the task to those that need a person.</summary>
    internal TaskRecord WriteDeliveryNote(IStorageConnection connection, string taskInstanceId, TaskRecord? before, DeliveryNote note)
    {
        var after = (before ?? TaskRecord.Empty) with { Delivery = note };
        Write(connection, taskInstanceId, [new(DeliveryField, JsonSerializer.Serialize(note, DeliveryNoteJsonContext.Default.DeliveryNote))], transaction => MoveStanding(transaction, taskInstanceId, after));
        return after;
    }

    internal void WriteProgressUntil(IStorageConnection connection, string taskInstanceId, string until)
        => Write(connection, taskInstanceId, [new(ProgressUntilField, until)]);

    internal TaskRecord WriteDeferred(IStorageConnection connection, string taskInstanceId, TaskRecord? before, DateTimeOffset until, string deadlineJobId, DateTimeOffset? firstCancellationCheckAt)
    {
        var after = (before ?? TaskRecord.Empty) with { DeferredUntil = until, DeadlineJobId = deadlineJobId };
        Write(
            connection,
            taskInstanceId,
            [new(DeferredUntilField, FormatTime(until)), new(DeadlineJobIdField, deadlineJobId)],
            transaction =>
            {
                if (firstCancellationCheckAt is { } checkAt)
                {
                    transaction.AddToSet(CancellationCheckSetKey, taskInstanceId, Score(checkAt));
                }

                MoveStanding(transaction, taskInstanceId, after);
            });
        return after;
    }

    internal void WriteUnfinishedPost(IStorageConnection connection, string taskInstanceId, bool unfinished)
        => Write(connection, taskInstanceId, [new(UnfinishedPostField, unfinished ? "1" : string.Empty)]);

    internal TaskRecord WriteCancelledByScenario(IStorageConnection connection, string taskInstanceId, TaskRecord? before, DateTimeOffset at)
    {
        var after = (before ?? TaskRecord.Empty) with { CancelledByScenarioAt = at, DecidedBy = TaskDecider.ScenarioCancellation };
        Write(
            connection,
            taskInstanceId,
            [new(CancelledByScenarioAtField, FormatTime(at)), new(DecidedByField, nameof(TaskDecider.ScenarioCancellation))],
            transaction =>
            {
                transaction.RemoveFromSet(CancellationCheckSetKey, taskInstanceId);
                MoveStanding(transaction, taskInstanceId, after);
            });
        return after;
    }

    /// <remarks><paramref name="before"/> gives the acceptance the task's place in the delivered list is scored by.</remarks>
    internal void WriteReported(IStorageConnection connection, string taskInstanceId, TaskRecord? before, string status, DateTimeOffset reportedAt)
        // One transaction, not two: each commit is a storage round trip (a dispatcher hand-off on InMemory, a
        // database transaction on PostgreSQL), paid once per task; see docs/benchmarks.md. It is also atomic now:
        // a task is never marked reported while still counted as undelivered.
        => Write(connection, taskInstanceId,
        [
            new(ReportedStatusField, status),
            new(ReportedAtField, FormatTime(reportedAt)),
            new(UnfinishedPostField, string.Empty),
        ],
        transaction =>
        {
            Forget(transaction, taskInstanceId);
            MoveStanding(transaction, taskInstanceId, (before ?? TaskRecord.Empty) with { ReportedStatus = status, ReportedAt = reportedAt, UnfinishedPost = false });
        });

    /// <summary>
    /// The same, on a connection of its own: for a second try when the first failed, since the locked
    /// connection may be the one the storage dropped. The report lock is held all the while, so no other
    /// delivery posts in between.
    /// </summary>
    internal void WriteReported(string taskInstanceId, TaskRecord? before, string status, DateTimeOffset reportedAt)
    {
        using var connection = _storage.GetConnection();
        WriteReported(connection, taskInstanceId, before, status, reportedAt);
    }

    /// <summary>
    /// Puts an accepted task in the set of its standing as <paramref name="after"/> has it, and takes it out of every other
    /// one, in the write's own transaction. Out of every other, not only the one the record was in: two locks write a
    /// record (decide, report), and a holder's view of the standing before its write may be stale; the standing after
    /// it is not, since each write decides the fields that set it. The page checks each listed record again.
    /// </summary>
    private static void MoveStanding(IWriteOnlyTransaction transaction, string taskInstanceId, TaskRecord after)
    {
        if (after.AcceptedAt is not { } acceptedAt)
        {
            return;
        }

        var standing = TaskStandings.Of(after);
        foreach (var other in TaskStandings.All)
        {
            if (other != standing)
            {
                transaction.RemoveFromSet(StandingSetKey(other), taskInstanceId);
            }
        }

        transaction.AddToSet(StandingSetKey(standing), taskInstanceId, NewestFirst(acceptedAt));
    }

    private static string StandingSetKey(TaskStanding standing) => StandingSetPrefix + standing;

    /// <summary>
    /// A standing set's score: the acceptance, negated, so the newest task has the lowest score and Hangfire's ranged read
    /// by lowest score (which every storage orders by score, where its range read may follow insertion) pages newest first.
    /// </summary>
    private static double NewestFirst(DateTimeOffset acceptedAt) => -acceptedAt.ToUnixTimeMilliseconds();

    /// <summary>A reported task (or one whose record is gone) leaves every set that counts tasks still waiting.</summary>
    private static void Forget(IWriteOnlyTransaction transaction, string taskInstanceId)
    {
        transaction.RemoveFromSet(UndeliveredSetKey, taskInstanceId);
        transaction.RemoveFromSet(UnreportedSetKey, taskInstanceId);
        transaction.RemoveFromSet(RecoveringSetKey, taskInstanceId);
        transaction.RemoveFromSet(CancellationCheckSetKey, taskInstanceId);
    }

    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        Forget(transaction, taskInstanceId);
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<string>>(Due(UnreportedSetKey, now, max));

    /// <summary>
    /// Not conditional: a task reported between the sweeper's read and this write comes back into the set, and the
    /// sweeper's next look at it, a horizon later, finds it reported and lets it go.
    /// </summary>
    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(UnreportedSetKey, taskInstanceId, Score(at));
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    /// <summary>In the state change's own transaction; the lifecycle calls it for a task it found unreported.</summary>
    public void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
        => transaction.AddToSet(UnreportedSetKey, taskInstanceId, DueNow);

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<string>>(Due(CancellationCheckSetKey, now, max));

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        if (at is { } due)
        {
            transaction.AddToSet(CancellationCheckSetKey, taskInstanceId, Score(due));
        }
        else
        {
            transaction.RemoveFromSet(CancellationCheckSetKey, taskInstanceId);
        }

        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The members of a scored set due by <paramref name="now"/>, lowest score first: Hangfire's ranged read where the
    /// storage has it (InMemory, PostgreSQL, Redis, SQL Server), else its one-member form, so a round takes one task at a
    /// time and the sweeper asks again (each look moves the task's score past now).
    /// </summary>
    private List<string> Due(string setKey, DateTimeOffset now, int max)
    {
        using var connection = _storage.GetConnection();
        if (connection is JobStorageConnection ranged)
        {
            try
            {
                return ranged.GetFirstByLowestScoreFromSet(setKey, DueNow, Score(now), max);
            }
            catch (NotSupportedException)
            {
            }
        }

        return connection.GetFirstByLowestScoreFromSet(setKey, DueNow, Score(now)) is { } first ? [first] : [];
    }

    /// <summary>
    /// The score of a due time: seconds since 1970. <see cref="DueNow"/> (0) is before every one of them: a task made due
    /// by a state change comes first, as does one added by an earlier version, whose sets had no scores.
    /// </summary>
    private static double Score(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).TotalSeconds;

    private const double DueNow = 0;

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(RecoveringSetKey, taskInstanceId);
        transaction.Commit();

        // The sweeper marks a task outside its report lock: a report written meanwhile removed the task from the set
        // before this added it, and would leave it counted as being recovered for ever. Read after the write, so either
        // the report's removal comes after this mark or this read sees the report.
        if (Read(connection, taskInstanceId) is { IsReported: true })
        {
            using var undo = connection.CreateWriteTransaction();
            undo.RemoveFromSet(RecoveringSetKey, taskInstanceId);
            undo.Commit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        return ValueTask.FromResult((Count(connection, UndeliveredSetKey), Count(connection, RecoveringSetKey), Count(connection, UnreportedSetKey)));
    }

    private static long Count(IStorageConnection connection, string setKey)
        => connection is JobStorageConnection counting
            ? counting.GetSetCount(setKey)
            : connection.GetAllItemsFromSet(setKey).Count;

    public ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        var deferredUntil = connection is JobStorageConnection fields
            ? fields.GetValueFromHash(Key(taskInstanceId), DeferredUntilField)
            : connection.GetAllEntriesFromHash(Key(taskInstanceId))?.GetValueOrDefault(DeferredUntilField);
        return ValueTask.FromResult(!string.IsNullOrEmpty(deferredUntil));
    }

    public ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        Write(connection, taskInstanceId, [new(ReportJobIdField, reportJobId)]);
        return ValueTask.CompletedTask;
    }

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(UndeliveredSetKey, taskInstanceId);
        transaction.Commit();
        return ValueTask.CompletedTask;
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

    /// <summary>
    /// Hangfire's storages expire the record's hash themselves (<see cref="JobStorageTransaction.ExpireHash"/>), but not one
    /// entry of a set: the accepted tasks past the retention leave the dashboard's set here, a batch at a time, where the
    /// storage can find them by score. The record's own expiry may come later (a later write renews it): such a task
    /// leaves the list while its record is still kept, which is why the set's score is its acceptance.
    /// </summary>
    public ValueTask RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        if (connection is not JobStorageConnection scored)
        {
            return ValueTask.CompletedTask;
        }

        List<string> expired;
        try
        {
            expired = scored.GetFirstByLowestScoreFromSet(AcceptedSetKey, double.MinValue, (_time.GetUtcNow() - _retention).ToUnixTimeMilliseconds(), ExpiredBatch);
        }
        catch (NotSupportedException)
        {
            // A storage without score queries keeps the ids; the list skips those whose record is gone.
            return ValueTask.CompletedTask;
        }

        if (expired.Count > 0)
        {
            using var transaction = connection.CreateWriteTransaction();
            foreach (var id in expired)
            {
                transaction.RemoveFromSet(AcceptedSetKey, id);
                foreach (var standing in TaskStandings.All)
                {
                    transaction.RemoveFromSet(StandingSetKey(standing), id);
                }
            }

            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A range of the accepted set, from its end: Hangfire's storages return a set's range in score order (Redis,
    /// Hangfire.InMemory) or insertion order (the SQL storages), both the order of acceptance here. One hash read per
    /// task on the page; an id whose record has expired is left out. One standing: its own set (<see cref="StandingSetPrefix"/>),
    /// read by lowest score, so a page reads the ids up to its end and the records on it, never the other tasks.
    /// </summary>
    public ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        if (filter.Standing is { } standing)
        {
            return ValueTask.FromResult(ListStanding(connection, filter, StandingSetKey(standing), skip, take));
        }

        var total = Count(connection, AcceptedSetKey);
        var end = total - 1 - skip;
        if (end < 0 || take <= 0)
        {
            return ValueTask.FromResult(new TaskListPage(total, []));
        }

        var start = Math.Max(0, end - take + 1);
        var ids = connection is JobStorageConnection ranged
            ? ranged.GetRangeFromSet(AcceptedSetKey, (int)start, (int)end)
            : [.. connection.GetAllItemsFromSet(AcceptedSetKey).Skip((int)start).Take((int)(end - start + 1))];
        return ValueTask.FromResult(new TaskListPage(total, ReadPage(connection, ids, filter)));
    }

    /// <summary>
    /// A standing's page. A storage without the ranged read by score (none of Hangfire's common ones) reads the whole set of
    /// that standing, still never every task's. A record whose standing has moved since its id was read is left out.
    /// </summary>
    private static TaskListPage ListStanding(IStorageConnection connection, TaskListFilter filter, string setKey, int skip, int take)
    {
        var total = Count(connection, setKey);
        if (take <= 0 || skip >= total)
        {
            return new TaskListPage(total, []);
        }

        if (connection is JobStorageConnection scored)
        {
            try
            {
                var ids = scored.GetFirstByLowestScoreFromSet(setKey, double.MinValue, double.MaxValue, skip + take);
                return new TaskListPage(total, ReadPage(connection, ids.Skip(skip), filter));
            }
            catch (NotSupportedException)
            {
            }
        }

        var all = ReadPage(connection, connection.GetAllItemsFromSet(setKey), filter);
        return new TaskListPage(total, [.. all.Skip(skip).Take(take)]);
    }

    private static List<ListedTask> ReadPage(IStorageConnection connection, IEnumerable<string> ids, TaskListFilter filter)
        => ids
            .Select(id => Read(connection, id) is { } record && filter.Includes(record) ? new ListedTask(id, record) : null)
            .OfType<ListedTask>()
            .OrderByDescending(task => task.Record.AcceptedAt)
            .ToList();

    public long CountUndeliveredForMenu()
    {
        using var connection = _storage.GetConnection();
        return Count(connection, UndeliveredSetKey);
    }

    /// <summary>The hash of a task, by its canonical id.</summary>
    internal static string Key(string taskInstanceId) => KeyPrefix + taskInstanceId;

    private static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}
