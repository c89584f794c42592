namespace Scenario.Receiver;

/// <summary>
/// The names under which the receiver publishes its telemetry, for an OpenTelemetry (or any
/// <see cref="System.Diagnostics.ActivityListener"/> / <see cref="System.Diagnostics.Metrics.MeterListener"/>) subscription:
/// <c>tracing.AddSource(ScenarioReceiverInstrumentation.ActivitySourceName)</c>,
/// <c>metrics.AddMeter(ScenarioReceiverInstrumentation.MeterName)</c>. The package Scenario.Receiver.OpenTelemetry
/// does both with <c>AddScenarioReceiverInstrumentation()</c>.
/// </summary>
public static class ScenarioReceiverInstrumentation
{
    /// <summary>
    /// The name of the receiver's <see cref="System.Diagnostics.ActivitySource"/>: <c>Scenario.Receiver</c>. Its activities
    /// <c>scenario.accept</c>, <c>scenario.work</c> and <c>scenario.report</c> make one trace per task, from the RestCall
    /// through the work job to the status post, tagged <c>scenario.task_instance_id</c>.
    /// </summary>
    public const string ActivitySourceName = "Scenario.Receiver";

    /// <summary>
    /// The name of the receiver's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Scenario.Receiver</c>, one per host
    /// (from its <see cref="System.Diagnostics.Metrics.IMeterFactory"/>). Its instruments: the counters
    /// <c>scenario.receiver.tasks.accepted|duplicate|completed|errored</c>, <c>scenario.receiver.reports.attempts|failures</c>
    /// and <c>scenario.receiver.redirects</c>, the histograms <c>scenario.receiver.work.duration</c> and
    /// <c>scenario.receiver.reports.duration</c> (seconds).
    /// </summary>
    public const string MeterName = "Scenario.Receiver";
}
