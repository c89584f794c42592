using System.Text.Json.Serialization;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// Source-generated serialization of the wire model, so no serializer set-up or reflection happens per call. Each
/// folder serializes its own types with a context of its own (<c>TaskJsonContext</c>, <c>RequestJsonContext</c>, …), so no
/// folder imports another's types for their JSON.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskStatusEvent))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;
