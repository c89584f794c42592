namespace Scenario.Receiver.Tasks;

/// <summary>A task's record while its decide lock is held (<see cref="ITaskStore.LockForDecide"/>): read it, write what was decided, then dispose.</summary>
internal interface IDecideLock : IDisposable
{
    TaskRecord? Read();

    void WriteDeferred(DateTimeOffset until, string deadlineJobId);

    void WriteCancelledByScenario(DateTimeOffset at);

    /// <summary>Records a deferred task's next cancellation check, so that deciding the task deletes it while it is still scheduled.</summary>
    void WriteCancellationCheck(string checkJobId);
}
