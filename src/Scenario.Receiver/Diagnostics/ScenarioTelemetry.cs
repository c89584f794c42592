using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scenario.Receiver.Diagnostics;

/// <summary>
/// The library's traces and metrics, both named <see cref="Name"/> so one subscription catches them.
/// Static like every ActivitySource and Meter: they carry no configuration and no per-host state.
/// </summary>
internal static class ScenarioTelemetry
{
    internal const string Name = "Scenario.Receiver";

    internal static readonly ActivitySource Source = new(Name, typeof(ScenarioTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Meter Meter = new(Name, typeof(ScenarioTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> AcceptedTasks = Meter.CreateCounter<long>("scenario.receiver.tasks.accepted", "{task}", "Scenario tasks accepted and enqueued.");

    internal static readonly Counter<long> DuplicateTasks = Meter.CreateCounter<long>("scenario.receiver.tasks.duplicate", "{task}", "RestCalls for a task that was already accepted; nothing was enqueued.");

    internal static readonly Counter<long> CompletedTasks = Meter.CreateCounter<long>("scenario.receiver.tasks.completed", "{task}", "Tasks whose Completed status reached Scenario.");

    internal static readonly Counter<long> ErroredTasks = Meter.CreateCounter<long>("scenario.receiver.tasks.errored", "{task}", "Tasks whose Error status reached Scenario.");

    internal static readonly Counter<long> ReportAttempts = Meter.CreateCounter<long>("scenario.receiver.reports.attempts", "{attempt}", "Posts of a status to Scenario.");

    internal static readonly Counter<long> ReportFailures = Meter.CreateCounter<long>("scenario.receiver.reports.failures", "{attempt}", "Posts of a status that Scenario did not take.");

    internal static readonly Histogram<double> WorkDuration = Meter.CreateHistogram<double>("scenario.receiver.work.duration", "s", "How long one run of a task's work took.");

    internal static readonly Histogram<double> ReportLatency = Meter.CreateHistogram<double>("scenario.receiver.reports.duration", "s", "How long one post of a status to Scenario took.");

    /// <summary>Continues the trace of the request that accepted the task, when one was recorded.</summary>
    internal static Activity? StartJobActivity(string name, string? traceParent, string taskInstanceId)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        var activity = Source.StartActivity(name, ActivityKind.Consumer, parent);
        activity?.SetTag("scenario.task_instance_id", taskInstanceId);
        return activity;
    }
}
