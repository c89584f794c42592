namespace Scenario.Receiver.Request;

/// <summary>
/// What <see cref="TaskHeaderReader"/> found: no task (<see cref="TaskInstanceId"/> null, nothing invalid), a valid
/// task, or a header to reject.
/// </summary>
internal readonly record struct TaskHeaderReadResult(
    string? TaskInstanceId,
    string? WorkflowInstanceId,
    Uri? TaskStatusUrl,
    string? StatusUrlIgnoredBecause,
    string? InvalidHeader,
    string? Problem)
{
    internal static TaskHeaderReadResult NoTask => default;

    internal bool IsInvalid => InvalidHeader is not null;

    internal static TaskHeaderReadResult Task(string taskInstanceId, string? workflowInstanceId, Uri? statusUrl, string? statusUrlIgnoredBecause)
        => new(taskInstanceId, workflowInstanceId, statusUrl, statusUrlIgnoredBecause, null, null);

    internal static TaskHeaderReadResult Invalid(string header, string problem)
        => new(null, null, null, null, header, problem);
}
