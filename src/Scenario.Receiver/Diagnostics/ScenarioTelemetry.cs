using System.Diagnostics;

namespace Scenario.Receiver.Diagnostics;

/// <summary>
/// The library's traces, named <see cref="Name"/> (the public <see cref="ScenarioReceiverInstrumentation.ActivitySourceName"/>)
/// like its metrics (<see cref="ScenarioMetrics"/>), so one name subscribes to both. Static like every ActivitySource: it carries no configuration and no per-host state.
/// </summary>
internal static class ScenarioTelemetry
{
    internal const string Name = ScenarioReceiverInstrumentation.ActivitySourceName;

    internal static readonly ActivitySource Source = new(Name, typeof(ScenarioTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Continues the trace of the request that accepted the task, when one was recorded.</summary>
    internal static Activity? StartJobActivity(string name, string? traceParent, string? taskInstanceId)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        var activity = Source.StartActivity(name, ActivityKind.Consumer, parent);
        activity?.SetTag("scenario.task_instance_id", taskInstanceId);
        return activity;
    }
}
