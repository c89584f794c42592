using Hangfire.Storage;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>A task's record while one of its distributed locks is held in Hangfire's storage: read and write it, then dispose.</summary>
internal sealed class HangfireTaskLock : IDecideLock, IReportLock, IDisposable
{
    private readonly HangfireTaskStore _store;
    private readonly IStorageConnection _connection;
    private readonly IDisposable _lock;
    private PostState _post;

    internal HangfireTaskLock(HangfireTaskStore store, IStorageConnection connection, IDisposable distributedLock, string taskInstanceId)
    {
        _store = store;
        _connection = connection;
        _lock = distributedLock;
        TaskInstanceId = taskInstanceId;
    }

    public string TaskInstanceId { get; }

    public TaskRecord? Read() => HangfireTaskStore.Read(_connection, TaskInstanceId);

    /// <summary>
    /// One write before each terminal post: the distributed lock of a dead holder expires without a trace, so the
    /// record itself must say that a post was under way.
    /// </summary>
    public ValueTask BeginPostAsync()
    {
        _post = PostState.InFlight;
        try
        {
            _store.WriteUnfinishedPost(_connection, TaskInstanceId, unfinished: true);
        }
#pragma warning disable CA1031 // Whatever the storage throws: the post goes ahead; only the warning of a cut-off post is lost.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return ValueTask.CompletedTask;
    }

    public void PostAnswered() => _post = _post == PostState.InFlight ? PostState.Answered : _post;

    public void WriteAccepted(string? workflowInstanceId, string? statusUrl, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt)
        => _store.WriteAccepted(_connection, TaskInstanceId, workflowInstanceId, statusUrl, jobId, queue, entryKey, acceptedAt);

    internal void WriteReported(string status, DateTimeOffset reportedAt)
        => _store.WriteReported(_connection, TaskInstanceId, status, reportedAt);

    public void WriteOutcome(string outcomeJson, TaskDecider decidedBy) => _store.WriteOutcome(_connection, TaskInstanceId, outcomeJson, decidedBy);

    public void WriteProgressUntil(string until) => _store.WriteProgressUntil(_connection, TaskInstanceId, until);

    public ValueTask WriteDeferredAsync(DateTimeOffset until, string deadlineJobId, DateTimeOffset? firstCancellationCheckAt)
    {
        _store.WriteDeferred(_connection, TaskInstanceId, until, deadlineJobId, firstCancellationCheckAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteCancelledByScenarioAsync(DateTimeOffset at)
    {
        _store.WriteCancelledByScenario(_connection, TaskInstanceId, at);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteDeliveryNoteAsync(DeliveryNote note)
    {
        _store.WriteDeliveryNote(_connection, TaskInstanceId, note);
        return ValueTask.CompletedTask;
    }

    /// <summary>The first try uses the locked connection, later ones a fresh one: the storage may have dropped this one.</summary>
    public async Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken)
    {
        await StorageRetry.UntilWrittenAsync(
            attempt =>
            {
                if (attempt == 1)
                {
                    _store.WriteReported(_connection, TaskInstanceId, status, reportedAt);
                }
                else
                {
                    _store.WriteReported(TaskInstanceId, status, reportedAt);
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
                _store.WriteUnfinishedPost(_connection, TaskInstanceId, unfinished: false);
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
