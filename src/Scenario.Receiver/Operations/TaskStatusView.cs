using System.Text.Json.Serialization;

namespace Scenario.Receiver.Operations;

/// <summary>
/// What <c>GET /scenario/tasks/{taskInstanceId}</c> answers about one task. <c>deferred</c> is true while the task
/// waits for an explicit completion (until <c>deferredUntil</c>); <c>cancelledByScenario</c> when Scenario's
/// cancellation query said it cancelled the task (nothing was reported then).
/// </summary>
internal sealed record TaskStatusView(
    [property: JsonPropertyName("taskInstanceId")] string TaskInstanceId,
    [property: JsonPropertyName("workflowInstanceId")] string? WorkflowInstanceId,
    [property: JsonPropertyName("endpoint")] string? Endpoint,
    [property: JsonPropertyName("acceptedAt")] DateTimeOffset? AcceptedAt,
    [property: JsonPropertyName("jobId")] string? JobId,
    [property: JsonPropertyName("state")] string? State,
    [property: JsonPropertyName("reportedStatus")] string? ReportedStatus,
    [property: JsonPropertyName("reportedAt")] DateTimeOffset? ReportedAt,
    [property: JsonPropertyName("deferred")] bool Deferred = false,
    [property: JsonPropertyName("deferredUntil")] DateTimeOffset? DeferredUntil = null,
    [property: JsonPropertyName("cancelledByScenario")] bool CancelledByScenario = false,
    [property: JsonPropertyName("cancelledByScenarioAt")] DateTimeOffset? CancelledByScenarioAt = null);
