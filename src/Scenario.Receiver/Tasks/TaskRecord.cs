namespace Scenario.Receiver.Tasks;

/// <summary>
/// What job storage remembers of one task: the work job that runs it, how it ended, and whether its
/// terminal status reached Scenario; for a deferred task until when it waits for its completion, and whether
/// Scenario cancelled it, and its cancellation check waiting to run, so that deciding the task can delete what it
/// scheduled. Kept for <see cref="ScenarioReceiverOptions.RecordRetention"/>.
/// </summary>
/// <remarks>
/// <see cref="UnfinishedPost"/>, read under the report lock only: an earlier delivery began a post of the terminal
/// status and never learned its answer (its instance died or stopped mid-post, or its lease was taken over), so
/// Scenario may have it already.
/// </remarks>
internal sealed record TaskRecord(
    string TaskInstanceId,
    string? WorkflowInstanceId,
    string? JobId,
    string? ReportJobId,
    string? Queue,
    string? EntryKey,
    DateTimeOffset? AcceptedAt,
    string? OutcomeJson,
    string? ReportedStatus,
    DateTimeOffset? ReportedAt,
    DateTimeOffset? DeferredUntil = null,
    string? DeadlineJobId = null,
    DateTimeOffset? CancelledByScenarioAt = null,
    string? CancellationCheckJobId = null,
    bool UnfinishedPost = false)
{
    internal bool IsReported => ReportedAt is not null;

    /// <summary>Whether nothing may decide the task's outcome any more: it has one, or Scenario cancelled it.</summary>
    internal bool IsSettled => OutcomeJson is not null || IsReported || CancelledByScenarioAt is not null;
}
