using System.Text.Json.Serialization;

namespace Scenario.Receiver.Entries;

/// <summary>The body of the 202 answer: the task, and the Hangfire job that works on it.</summary>
internal sealed record AcceptedTask(
    [property: JsonPropertyName("taskInstanceId")] string TaskInstanceId,
    [property: JsonPropertyName("jobId")] string JobId)
{
    /// <summary>Whether the task was already known, so this call enqueued nothing.</summary>
    [JsonIgnore]
    public bool IsDuplicate { get; init; }

    /// <summary>When the task was accepted by another endpoint: that endpoint's key. Nothing was enqueued.</summary>
    [JsonIgnore]
    public string? AcceptedByOtherEntry { get; init; }
}
