
namespace Scenario.Receiver.Tasks;

/// <summary>
/// Whether an attempt to decide a task's outcome decided it, and if not, what the task had already
/// (<see cref="Prior"/>). A decision that won names the deferred task's jobs still scheduled, which the decision
/// makes pointless (its deadline, its next cancellation check), as the store found them while deciding, and its workflow.
/// </summary>
internal readonly record struct TaskDecision(
    bool IsDecided, TaskSettlement? Prior, string? DeadlineJobId = null, string? CancellationCheckJobId = null, string? WorkflowInstanceId = null)
{
    public static TaskDecision Decided(TaskRecord? before) => new(true, null, before?.DeadlineJobId, before?.CancellationCheckJobId, before?.WorkflowInstanceId);

    /// <summary>Why a task's outcome can no longer be decided, or null while it can.</summary>
    public static TaskDecision? Refusal(TaskRecord? record)
    {
        if (record is null || !record.IsSettled)
        {
            return null;
        }

        if (record.CancelledByScenarioAt is not null && record.Outcome is null)
        {
            return new TaskDecision(false, TaskSettlement.CancelledByScenario);
        }

        var status = record.ReportedStatus ?? record.Outcome?.Status;
        return new TaskDecision(false, status == TaskStatusNames.Error ? TaskSettlement.Error : status == TaskStatusNames.Completed ? TaskSettlement.Completed : null);
    }
}
