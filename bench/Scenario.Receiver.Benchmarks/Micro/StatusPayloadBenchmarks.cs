using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// The status body: TaskOutcome.ToStatusEvent + source-generated serialization (ScenarioJsonContext),
/// against the hand-written job's record serialized by reflection with the web defaults (what
/// <c>PostAsJsonAsync</c> does).
/// </summary>
[Config(typeof(MicroConfig))]
public class StatusPayloadBenchmarks
{
    private const string TaskInstanceId = "364e21c2-25bf-497d-9583-3d359e7cbf91";

    private static readonly Dictionary<string, string> Outputs = new(StringComparer.Ordinal)
    {
        ["portfolio"] = "EQ-1",
        ["quantity"] = "256",
        ["notional"] = "25920.00",
        ["urgent"] = "false",
        ["asOf"] = "2026-11-27T09:30:00+00:00",
    };

    private readonly TaskOutcome _outcome = TaskOutcome.Completed(200, Outputs);
    private readonly HandWrittenStatus _handWritten = new(TaskInstanceId, "Completed", new Dictionary<string, string>(Outputs) { ["statusCode"] = "200" });

    [Benchmark(Baseline = true, Description = "hand-written record, reflection JSON")]
    public byte[] HandWritten_Serialize() => JsonSerializer.SerializeToUtf8Bytes(_handWritten, JsonSerializerOptions.Web);

    [Benchmark(Description = "ToStatusEvent + ScenarioJsonContext")]
    public byte[] Library_ToStatusEventAndSerialize()
        => JsonSerializer.SerializeToUtf8Bytes(_outcome.ToStatusEvent(TaskInstanceId), ScenarioJsonContext.Default.TaskStatusEvent);
}
