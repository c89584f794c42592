namespace Scenario.Receiver.Jobs;

/// <summary>
/// What job storage remembers of one task: the work job that runs it, how it ended, and whether its
/// terminal status reached Scenario. Kept for <see cref="ScenarioReceiverOptions.RecordRetention"/>.
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
    DateTimeOffset? ReportedAt)
{
    internal bool IsReported => ReportedAt is not null;
}
