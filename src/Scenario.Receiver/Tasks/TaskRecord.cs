namespace Scenario.Receiver.Tasks;

/// <summary>
/// What job storage remembers of one task: the work job that runs it, how it ended, and whether its
/// terminal status reached Scenario; for a deferred task until when it waits for its completion, and whether
/// Scenario cancelled it, and its cancellation check waiting to run, so that deciding the task can delete what it
/// scheduled. Kept for <see cref="ScenarioReceiverOptions.RecordRetention"/>.
/// </summary>
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
    string? CancellationCheckJobId = null)
{
    internal bool IsReported => ReportedAt is not null;

    /// <summary>Whether nothing may decide the task's outcome any more: it has one, or Scenario cancelled it.</summary>
    internal bool IsSettled => OutcomeJson is not null || IsReported || CancelledByScenarioAt is not null;
}
