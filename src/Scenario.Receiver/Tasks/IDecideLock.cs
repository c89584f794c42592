namespace Scenario.Receiver.Tasks;

/// <summary>
/// A task's record while its decide lock is held (<see cref="ITaskStore.LockForDecideAsync"/>): read it, write what
/// was decided, then dispose. Disposed asynchronously: on PostgreSQL returning the lock commits what was written.
/// </summary>
internal interface IDecideLock : IAsyncDisposable
{
    /// <summary>The record as the lock found it, with this holder's writes: no storage round trip of its own on the PostgreSQL and in-memory stores.</summary>
    TaskRecord? Read();

    /// <summary>Records the deferral, its deadline job and, unless null, when Scenario is first asked whether it cancelled the task.</summary>
    ValueTask WriteDeferredAsync(DateTimeOffset until, string deadlineJobId, DateTimeOffset? firstCancellationCheckAt);

    ValueTask WriteCancelledByScenarioAsync(DateTimeOffset at);
}
