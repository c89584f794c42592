using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using static Scenario.Receiver.Tasks.HangfireStorage.HangfireTaskKeys;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// Reads and writes a task's record, the hash <see cref="HangfireTaskKeys.Key"/>: apart from the store, because the store
/// decides when to write (under which lock) and this how, and a lock's holder (<see cref="HangfireTaskLock"/>) writes
/// through it as well. Each write renews the hash's expiry and, in the same transaction, moves the task in the sets that
/// index it (its standing, its due times), so no index ever disagrees with a committed record.
/// </summary>
internal sealed class HangfireTaskRecords
{
    private readonly JobStorage _storage;
    private readonly TimeSpan _retention;
    private readonly TimeSpan _sweepHorizon;
    private readonly TimeProvider _time;

    public HangfireTaskRecords(JobStorage storage, TimeSpan retention, TimeSpan sweepHorizon, TimeProvider time)
    {
        _storage = storage;
        _retention = retention;
        _sweepHorizon = sweepHorizon;
        _time = time;
    }

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

    /// <summary>One field of the record, in one read where the storage has it, else from the whole hash.</summary>
    internal static string? ReadField(IStorageConnection connection, string taskInstanceId, string field)
        => connection is JobStorageConnection fields
            ? fields.GetValueFromHash(Key(taskInstanceId), field)
            : connection.GetAllEntriesFromHash(Key(taskInstanceId))?.GetValueOrDefault(field);

    /// <remarks><paramref name="before"/>: the record the accept found (a decision may precede the accept), null for none.</remarks>
    internal void WriteAccepted(IStorageConnection connection, string taskInstanceId, string? workflowInstanceId, string? statusUrl, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt, TaskRecord? before = null)
    {
        var after = (before ?? TaskRecord.Empty) with { JobId = jobId, Queue = queue, WorkflowInstanceId = workflowInstanceId, StatusUrl = statusUrl, EntryKey = entryKey, AcceptedAt = acceptedAt };
        var firstLook = HangfireDueTimes.Score(acceptedAt + _sweepHorizon);
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
                HangfireTaskListing.MoveStanding(transaction, taskInstanceId, after);
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
                HangfireTaskListing.MoveStanding(transaction, taskInstanceId, after);
            });
        return after;
    }

    /// <summary>A note that says Scenario refused the status (or the attempts ran out) moves the task to those that need a person.</summary>
    internal TaskRecord WriteDeliveryNote(IStorageConnection connection, string taskInstanceId, TaskRecord? before, DeliveryNote note)
    {
        var after = (before ?? TaskRecord.Empty) with { Delivery = note };
        Write(connection, taskInstanceId, [new(DeliveryField, JsonSerializer.Serialize(note, DeliveryNoteJsonContext.Default.DeliveryNote))], transaction => HangfireTaskListing.MoveStanding(transaction, taskInstanceId, after));
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
                    transaction.AddToSet(CancellationCheckSetKey, taskInstanceId, HangfireDueTimes.Score(checkAt));
                }

                HangfireTaskListing.MoveStanding(transaction, taskInstanceId, after);
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
                HangfireTaskListing.MoveStanding(transaction, taskInstanceId, after);
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
            HangfireDueTimes.Forget(transaction, taskInstanceId);
            HangfireTaskListing.MoveStanding(transaction, taskInstanceId, (before ?? TaskRecord.Empty) with { ReportedStatus = status, ReportedAt = reportedAt, UnfinishedPost = false });
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
    /// Sets <paramref name="fields"/> of the record and renews its expiry (the storage expires the hash itself), with
    /// <paramref name="alsoInTransaction"/>'s index moves in the same commit.
    /// </summary>
    internal void Write(IStorageConnection connection, string taskInstanceId, KeyValuePair<string, string>[] fields, Action<IWriteOnlyTransaction>? alsoInTransaction = null)
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

    internal static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset? ParseTime(string? text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}
