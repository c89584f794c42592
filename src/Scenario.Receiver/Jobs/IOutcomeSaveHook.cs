namespace Scenario.Receiver.Jobs;

/// <summary>
/// Runs between the end of a task's work and the save of its outcome: the one window where a process that
/// dies loses the work's result (the job then runs again, and the work with it). Nothing registers one; the
/// tests do, to stop a host exactly there, which no sleep could do reliably.
/// </summary>
internal interface IOutcomeSaveHook
{
    Task BeforeOutcomeSavedAsync(string taskInstanceId, CancellationToken cancellationToken);
}
