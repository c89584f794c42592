using static Scenario.Receiver.Tasks.InMemory.InMemoryTaskTable;

namespace Scenario.Receiver.Tasks.InMemory;

/// <summary>A task's record while one of its locks is held in the in-memory store: read and write it, then dispose.</summary>
internal sealed class InMemoryTaskLock(InMemoryTaskStore store, string taskInstanceId, IDisposable held) : IDecideLock, IReportLock
{
    private PostState _post;

    public TaskRecord? Read() => store.Find(taskInstanceId);

    /// <summary>
    /// Memory has no dying holder (the process takes the table with it), but a delivery cancelled mid-post (a
    /// shutdown, a deleted report job) leaves the mark for the next one, on this storage's other hosts too.
    /// </summary>
    public ValueTask BeginPostAsync()
    {
        store.Write(taskInstanceId, record => record with { UnfinishedPost = true });
        _post = PostState.InFlight;
        return ValueTask.CompletedTask;
    }

    public void PostAnswered() => _post = _post == PostState.InFlight ? PostState.Answered : _post;

    public ValueTask WriteDeferredAsync(DateTimeOffset until, string deadlineJobId, DateTimeOffset? firstCancellationCheckAt)
    {
        store.Write(taskInstanceId, record => record with { DeferredUntil = until, DeadlineJobId = deadlineJobId });
        store.ScheduleCancellationCheck(taskInstanceId, firstCancellationCheckAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteCancelledByScenarioAsync(DateTimeOffset at)
    {
        store.Write(taskInstanceId, record => record with { CancelledByScenarioAt = at, DecidedBy = TaskDecider.ScenarioCancellation });
        store.ScheduleCancellationCheck(taskInstanceId, null);
        return ValueTask.CompletedTask;
    }

    /// <summary>Memory does not blink: one write, in the same critical section as leaving the sets of waiting tasks.</summary>
    public Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken)
    {
        store.Write(taskInstanceId, record => record with { ReportedStatus = status, ReportedAt = reportedAt, UnfinishedPost = false }, SetChange.Forget);
        _post = PostState.None;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_post == PostState.Answered)
        {
            store.Write(taskInstanceId, record => record with { UnfinishedPost = false });
        }

        held.Dispose();
        return ValueTask.CompletedTask;
    }
}
