using System.Text.Json.Serialization;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// What the record remembers of a task's deliveries that did not end it: how many posts of its terminal status were
/// made, Scenario's last answer (or why there was none) and when, and whether a person must act (Scenario refused the
/// status, or the attempts ran out). Written under the report lock on a failed post only, so a delivery that succeeds at
/// once costs no write of its own; and when an operator posts a delivered task's status a second time, that post too.
/// The dashboard reads it.
/// </summary>
internal sealed record DeliveryNote(
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("lastAnswer")] string? LastAnswer,
    [property: JsonPropertyName("lastAttemptAt")] DateTimeOffset? LastAttemptAt,
    [property: JsonPropertyName("needsPerson")] bool NeedsPerson,
    [property: JsonPropertyName("redeliveredAt")] DateTimeOffset? RedeliveredAt = null,
    [property: JsonPropertyName("redeliveredBy")] string? RedeliveredBy = null);

/// <summary>The note's JSON, for the stores that keep text.</summary>
[JsonSerializable(typeof(DeliveryNote))]
internal sealed partial class DeliveryNoteJsonContext : JsonSerializerContext;
