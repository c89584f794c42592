using System.Text.Json.Serialization;

namespace Scenario.Receiver.Reporting;

/// <summary>
/// Source-generated serialization of the library's own JSON (the wire model and what jobs store), so no
/// serializer set-up or reflection happens per call.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskStatusEvent))]
[JsonSerializable(typeof(Scenario.Receiver.LongRunning.AcceptedTask))]
[JsonSerializable(typeof(Scenario.Receiver.LongRunning.RequestSnapshots.RequestSnapshot))]
[JsonSerializable(typeof(Scenario.Receiver.Jobs.TaskJobData))]
[JsonSerializable(typeof(TaskOutcome))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;
