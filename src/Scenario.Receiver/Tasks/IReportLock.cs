namespace Scenario.Receiver.Tasks;

/// <summary>
/// A task's record while its report lock is held (<see cref="ITaskStore.LockForReportAsync"/>): read it, post, mark it
/// reported, then dispose. A terminal post is bracketed by <see cref="BeginPostAsync"/> and <see cref="PostAnswered"/>, so
/// that a post cut off in between (the process died or stopped mid-post) shows in the next delivery's record as
/// <see cref="TaskRecord.UnfinishedPost"/>: Scenario may have taken it, and the next post may be a duplicate.
/// Disposed asynchronously: returning the lock is a write on every store but the in-memory one.
/// </summary>
internal interface IReportLock : IAsyncDisposable
{
    TaskRecord? Read();

    /// <summary>A terminal post is about to leave: until <see cref="PostAnswered"/>, the record says one is unfinished.</summary>
    ValueTask BeginPostAsync();

    /// <summary>The post has its answer (or failed without one): nothing is left unfinished once the lock is returned.</summary>
    void PostAnswered();

    /// <summary>
    /// Marks the task reported once Scenario took its status, trying again until the storage answers: a mark
    /// lost to a storage blink would have the status posted a second time. The lock stays held all the while,
    /// so no other delivery posts in between.
    /// </summary>
    /// <summary>Records what became of a post that did not deliver the status (or of an operator's second post): for the dashboard.</summary>
    ValueTask WriteDeliveryNoteAsync(DeliveryNote note);

    Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken);
}
