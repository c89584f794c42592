
namespace Scenario.Receiver.Tasks;

/// <summary>
/// What job storage remembers of one task, the one home of its facts: the work job that runs it, the status URL
/// allowed when it was accepted, how it ended and who decided that, and whether its terminal status reached
/// Scenario; for a deferred task until when it waits for its completion, and whether Scenario cancelled it, and
/// its cancellation check waiting to run, so that deciding the task can delete what it scheduled. Written by
/// <see cref="TaskLifecycle"/> alone. Kept for <see cref="ScenarioReceiverOptions.RecordRetention"/>.
/// </summary>
/// <remarks>
/// <see cref="UnfinishedPost"/>, read under the report lock only: an earlier delivery began a post of the terminal
/// status and never learned its answer (its instance died or stopped mid-post, or its lease was taken over), so
/// Scenario may have it already. <see cref="ProgressUntil"/>: a progress post began (under the report lock, unless
/// the task was settled) and may be on its way until then; a terminal delivery waits for it, so that no progress
/// reaches Scenario after the terminal status.
/// </remarks>
internal sealed record TaskRecord(
    string? WorkflowInstanceId,
    string? JobId,
    string? ReportJobId,
    string? Queue,
    string? EntryKey,
    DateTimeOffset? AcceptedAt,
    TaskOutcome? Outcome,
    string? ReportedStatus,
    DateTimeOffset? ReportedAt,
    DateTimeOffset? DeferredUntil = null,
    string? DeadlineJobId = null,
    DateTimeOffset? CancelledByScenarioAt = null,
    string? CancellationCheckJobId = null,
    bool UnfinishedPost = false,
    string? StatusUrl = null,
    TaskDecider? DecidedBy = null,
    DateTimeOffset? ProgressUntil = null)
{
    /// <summary>An empty record: a task the store knows nothing of yet.</summary>
    internal static readonly TaskRecord Empty = new(null, null, null, null, null, null, null, null, null);

    internal bool IsReported => ReportedAt is not null;

    /// <summary>Whether nothing may decide the task's outcome any more: it has one, or Scenario cancelled it.</summary>
    internal bool IsSettled => Outcome is not null || IsReported || CancelledByScenarioAt is not null;

    /// <summary>
    /// Whether a progress post may begin now: the task is neither reported nor cancelled, and has no outcome but,
    /// once its work has ended (<paramref name="afterOwnWork"/>), the work's own, whose terminal status waits for it.
    /// </summary>
    internal bool TakesProgress(bool afterOwnWork)
        => !IsReported && CancelledByScenarioAt is null && (Outcome is null || (afterOwnWork && DecidedBy == TaskDecider.Work));
}
