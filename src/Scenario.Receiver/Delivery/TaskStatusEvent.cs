using System.Text.Json.Serialization;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// The body of <c>POST {BaseUrl}/taskstatus/api/task-statuses</c>, in the shape Scenario's own client
/// sends. Absent members are left out rather than sent as null.
/// </summary>
internal sealed class TaskStatusEvent
{
    [JsonPropertyName("taskInstanceId")]
    public required string TaskInstanceId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("progressPercentage")]
    public int? ProgressPercentage { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("outputValues")]
    public IReadOnlyDictionary<string, string>? OutputValues { get; init; }
}
