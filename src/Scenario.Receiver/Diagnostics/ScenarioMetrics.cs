using System.Diagnostics.Metrics;

namespace Scenario.Receiver.Diagnostics;

/// <summary>
/// The library's metrics, on a Meter named <see cref="ScenarioReceiverInstrumentation.MeterName"/> taken from the host's
/// <see cref="IMeterFactory"/>: each host has its own, so two hosts in one process (tests) never mix counts.
/// </summary>
internal sealed class ScenarioMetrics
{
    /// <summary>The tag that says which request a redirect answered.</summary>
    public const string RequestTag = "scenario.request";

    public ScenarioMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ScenarioReceiverInstrumentation.MeterName, typeof(ScenarioMetrics).Assembly.GetName().Version?.ToString());
        AcceptedTasks = meter.CreateCounter<long>("scenario.receiver.tasks.accepted", "{task}", "Scenario tasks accepted and enqueued.");
        DuplicateTasks = meter.CreateCounter<long>("scenario.receiver.tasks.duplicate", "{task}", "RestCalls for a task that was already accepted; nothing was enqueued.");
        CompletedTasks = meter.CreateCounter<long>("scenario.receiver.tasks.completed", "{task}", "Tasks whose Completed status reached Scenario.");
        ErroredTasks = meter.CreateCounter<long>("scenario.receiver.tasks.errored", "{task}", "Tasks whose Error status reached Scenario.");
        ReportAttempts = meter.CreateCounter<long>("scenario.receiver.reports.attempts", "{attempt}", "Posts of a status to Scenario.");
        ReportFailures = meter.CreateCounter<long>("scenario.receiver.reports.failures", "{attempt}", "Posts of a status that Scenario did not take.");
        Redirects = meter.CreateCounter<long>("scenario.receiver.redirects", "{answer}", "Answers of Scenario that were redirects (3xx), never followed; tagged scenario.request: status or cancellation.");
        WorkDuration = meter.CreateHistogram<double>("scenario.receiver.work.duration", "s", "How long one run of a task's work took.");
        ReportLatency = meter.CreateHistogram<double>("scenario.receiver.reports.duration", "s", "How long one post of a status to Scenario took.");
    }

    public Counter<long> AcceptedTasks { get; }

    public Counter<long> DuplicateTasks { get; }

    public Counter<long> CompletedTasks { get; }

    public Counter<long> ErroredTasks { get; }

    public Counter<long> ReportAttempts { get; }

    public Counter<long> ReportFailures { get; }

    /// <summary>Tag <see cref="RequestTag"/>: <c>status</c> for a status post, <c>cancellation</c> for a cancellation question.</summary>
    public Counter<long> Redirects { get; }

    public Histogram<double> WorkDuration { get; }

    public Histogram<double> ReportLatency { get; }
}
