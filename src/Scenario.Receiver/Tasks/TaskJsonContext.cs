using System.Text.Json.Serialization;

namespace Scenario.Receiver.Tasks;

/// <summary>Source-generated serialization of the outcome, as the stores keep it, so no serializer set-up or reflection happens per call.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskOutcome))]
internal sealed partial class TaskJsonContext : JsonSerializerContext;
