using System.Text.Json.Serialization;

namespace Scenario.Receiver.Entries;

/// <summary>Source-generated serialization of the 202 answer, so no serializer set-up or reflection happens per call.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcceptedTask))]
internal sealed partial class EntryJsonContext : JsonSerializerContext;
