namespace Scenario.Receiver.Tasks;

/// <summary>Whether an attempt to decide a task's outcome decided it, and if not, what the task had already.</summary>
internal readonly record struct TaskDecision(bool IsDecided, string? PriorOutcome)
{
    /// <summary>What <see cref="PriorOutcome"/> says of a task that Scenario cancelled.</summary>
    public const string CancelledByScenario = "CancelledByScenario";

    public static readonly TaskDecision Decided = new(true, null);

    /// <summary>Why a task's outcome can no longer be decided, or null while it can.</summary>
    public static TaskDecision? Refusal(TaskRecord? record)
    {
        if (record is null || !record.IsSettled)
        {
            return null;
        }

        return new TaskDecision(false, record.CancelledByScenarioAt is not null && record.OutcomeJson is null
            ? CancelledByScenario
            : record.ReportedStatus ?? StatusOf(record.OutcomeJson));
    }

    private static string? StatusOf(string? outcomeJson)
        => outcomeJson is null ? null : System.Text.Json.JsonSerializer.Deserialize(outcomeJson, Reporting.ScenarioJsonContext.Default.TaskOutcome)?.Status;
}
