using System.Text.Json.Serialization;

namespace Scenario.Receiver.Operations;

/// <summary>What <c>GET /scenario/tasks/{taskInstanceId}</c> answers about one task.</summary>
internal sealed record TaskStatusView(
    [property: JsonPropertyName("taskInstanceId")] string TaskInstanceId,
    [property: JsonPropertyName("workflowInstanceId")] string? WorkflowInstanceId,
    [property: JsonPropertyName("endpoint")] string? Endpoint,
    [property: JsonPropertyName("acceptedAt")] DateTimeOffset? AcceptedAt,
    [property: JsonPropertyName("jobId")] string? JobId,
    [property: JsonPropertyName("state")] string? State,
    [property: JsonPropertyName("reportedStatus")] string? ReportedStatus,
    [property: JsonPropertyName("reportedAt")] DateTimeOffset? ReportedAt);
