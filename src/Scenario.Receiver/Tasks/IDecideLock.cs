namespace Scenario.Receiver.Tasks;

/// <summary>
/// A task's record while its decide lock is held (<see cref="ITaskStore.LockForDecideAsync"/>): read it, write what
/// was decided, then dispose. Disposed asynchronously: on PostgreSQL returning the lock commits what was written.
/// </summary>
internal interface IDecideLock : IAsyncDisposable
{
    /// <summary>The record as the lock found it, with this holder's writes: no storage round trip of its own on the PostgreSQL and in-memory stores.</summary>
    TaskRecord? Read();

    ValueTask WriteDeferredAsync(DateTimeOffset until, string deadlineJobId);

    ValueTask WriteCancelledByScenarioAsync(DateTimeOffset at);

    /// <summary>Records a deferred task's next cancellation check, so that deciding the task deletes it while it is still scheduled.</summary>
    ValueTask WriteCancellationCheckAsync(string checkJobId);
}
