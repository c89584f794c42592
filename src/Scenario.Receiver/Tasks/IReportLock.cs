namespace Scenario.Receiver.Tasks;

/// <summary>A task's record while its report lock is held (<see cref="ITaskStore.LockForReport"/>): read it, post, mark it reported, then dispose.</summary>
internal interface IReportLock : IDisposable
{
    TaskRecord? Read();

    /// <summary>
    /// Marks the task reported once Scenario took its status, trying again until the storage answers: a mark
    /// lost to a storage blink would have the status posted a second time. The lock stays held all the while,
    /// so no other delivery posts in between.
    /// </summary>
    Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken);
}
