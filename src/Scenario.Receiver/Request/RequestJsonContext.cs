using System.Text.Json.Serialization;

namespace Scenario.Receiver.Request;

/// <summary>Source-generated serialization of the request snapshot, so no serializer set-up or reflection happens per call.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CapturedRequest))]
internal sealed partial class RequestJsonContext : JsonSerializerContext;
