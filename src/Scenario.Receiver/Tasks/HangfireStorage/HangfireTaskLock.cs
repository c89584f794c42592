using Hangfire.Storage;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>A task's record while one of its distributed locks is held in Hangfire's storage: read and write it, then dispose.</summary>
internal sealed class HangfireTaskLock : IDecideLock, IReportLock, IDisposable
{
    private readonly HangfireTaskRecords _records;
    private readonly IStorageConnection _connection;
    private readonly IDisposable _lock;
    private PostState _post;

    // The record as this holder last read or wrote it: what a write that moves the task's standing starts from, with
    // no read of its own where the holder read the record already (every holder does, to decide what to write).
    private TaskRecord? _record;
    private bool _recordKnown;

    internal HangfireTaskLock(HangfireTaskRecords records, IStorageConnection connection, IDisposable distributedLock, string taskInstanceId)
    {
        _records = records;
        _connection = connection;
        _lock = distributedLock;
        TaskInstanceId = taskInstanceId;
    }

    public string TaskInstanceId { get; }

    public TaskRecord? Read()
    {
        _record = HangfireTaskRecords.Read(_connection, TaskInstanceId);
        _recordKnown = true;
        return _record;
    }

    private TaskRecord? Known() => _recordKnown ? _record : Read();

    private void Wrote(TaskRecord after)
    {
        _record = after;
        _recordKnown = true;
    }

    /// <summary>
    /// One write before each terminal post: the distributed lock of a dead holder expires without a trace, so the
    /// record itself must say that a post was under way.
    /// </summary>
    public ValueTask BeginPostAsync()
    {
        _post = PostState.InFlight;
        try
        {
            _records.WriteUnfinishedPost(_connection, TaskInstanceId, unfinished: true);
        }
#pragma warning disable CA1031 // Whatever the storage throws: the post goes ahead; only the warning of a cut-off post is lost.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return ValueTask.CompletedTask;
    }

    public void PostAnswered() => _post = _post == PostState.InFlight ? PostState.Answered : _post;

    /// <remarks><paramref name="before"/>: the record the accept found, null for none.</remarks>
    public void WriteAccepted(string? workflowInstanceId, string? statusUrl, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt, TaskRecord? before = null)
        => _records.WriteAccepted(_connection, TaskInstanceId, workflowInstanceId, statusUrl, jobId, queue, entryKey, acceptedAt, before);

    internal void WriteReported(string status, DateTimeOffset reportedAt)
        => _records.WriteReported(_connection, TaskInstanceId, Known(), status, reportedAt);

    public void WriteOutcome(TaskOutcome outcome, TaskDecider decidedBy) => Wrote(_records.WriteOutcome(_connection, TaskInstanceId, Known(), outcome, decidedBy));

    public void WriteProgressUntil(string until) => _records.WriteProgressUntil(_connection, TaskInstanceId, until);

    public ValueTask WriteDeferredAsync(DateTimeOffset until, string deadlineJobId, DateTimeOffset? firstCancellationCheckAt)
    {
        Wrote(_records.WriteDeferred(_connection, TaskInstanceId, Known(), until, deadlineJobId, firstCancellationCheckAt));
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteCancelledByScenarioAsync(DateTimeOffset at)
    {
        Wrote(_records.WriteCancelledByScenario(_connection, TaskInstanceId, Known(), at));
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteDeliveryNoteAsync(DeliveryNote note)
    {
        Wrote(_records.WriteDeliveryNote(_connection, TaskInstanceId, Known(), note));
        return ValueTask.CompletedTask;
    }

    /// <summary>The first try uses the locked connection, later ones a fresh one: the storage may have dropped this one.</summary>
    public async Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken)
    {
        var before = Known();
        await StorageRetry.UntilWrittenAsync(
            attempt =>
            {
                if (attempt == 1)
                {
                    _records.WriteReported(_connection, TaskInstanceId, before, status, reportedAt);
                }
                else
                {
                    _records.WriteReported(TaskInstanceId, before, status, reportedAt);
                }

                return ValueTask.CompletedTask;
            },
            onFailure,
            cancellationToken).ConfigureAwait(false);

        // The mark went with the same write.
        _post = PostState.None;
    }

    /// <summary>Returns the lock through Hangfire's synchronous API (see <see cref="HangfireTaskStore"/>).</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>For the code that holds the accept lock, which is Hangfire's alone.</summary>
    public void Dispose()
    {
        if (_post == PostState.Answered)
        {
            try
            {
                _records.WriteUnfinishedPost(_connection, TaskInstanceId, unfinished: false);
            }
#pragma warning disable CA1031 // Whatever the storage throws: a mark left behind costs one needless warning, never a status.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        // Returns the lock, then disposes the connection (the handle owns it: see DistributedLockThread).
        _lock.Dispose();
    }
}
