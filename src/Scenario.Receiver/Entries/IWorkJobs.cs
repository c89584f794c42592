namespace Scenario.Receiver.Entries;

/// <summary>
/// Creates a task's work job. Owned here, made where the job is (Work.WorkJobs), so that accepting a task does not
/// depend on the work it hands over: the work calls the entries, never the other way round.
/// </summary>
internal interface IWorkJobs
{
    /// <summary>Enqueues the work job of an accepted task on <paramref name="queue"/>; returns its job id.</summary>
    ValueTask<string> CreateAsync(string entryKey, string taskInstanceId, string? workflowInstanceId, string queue, string argumentsJson, string? requestSnapshot);
}
