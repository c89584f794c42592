using System.Text.Json.Serialization;

namespace Scenario.Receiver.Plumbing;

/// <summary>Source-generated serialization of the task's job parameter, so no serializer set-up or reflection happens per call.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskJobData))]
internal sealed partial class JobParameterJsonContext : JsonSerializerContext;
