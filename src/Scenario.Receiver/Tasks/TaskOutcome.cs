using System.Text.Json.Serialization;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// How a task ended, as Scenario will be told: <c>Completed</c> or <c>Error</c>, the HTTP status code the
/// action would have answered, its outputs and a message. Kept in the task record (each store serializes it its own
/// way) between the decision and the delivery.
/// </summary>
internal sealed class TaskOutcome
{
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("statusCode")]
    public required int StatusCode { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("outputValues")]
    public Dictionary<string, string>? OutputValues { get; init; }

    internal static TaskOutcome Completed(int statusCode, Dictionary<string, string>? outputValues)
        => new() { Status = TaskStatusNames.Completed, StatusCode = statusCode, OutputValues = outputValues };

    internal static TaskOutcome Error(int statusCode, string message)
        => new() { Status = TaskStatusNames.Error, StatusCode = statusCode, Message = message };

    internal TaskOutcome WithMessage(string message)
        => new() { Status = Status, StatusCode = StatusCode, OutputValues = OutputValues, Message = message };
}
