namespace Scenario.Receiver.Tasks;

/// <summary>
/// What <see cref="ITaskStore.AcceptAsync"/> found: the task's work job, and whether it was made by an earlier call
/// (<see cref="IsDuplicate"/>), at the endpoint <see cref="AcceptedByEntry"/> names.
/// </summary>
internal readonly record struct TaskAcceptance(string JobId, bool IsDuplicate, string? AcceptedByEntry)
{
    public static TaskAcceptance New(string jobId) => new(jobId, false, null);

    public static TaskAcceptance Existing(string jobId, string? acceptedByEntry) => new(jobId, true, acceptedByEntry);
}
