using Scenario.Receiver;

// In OpenTelemetry's own namespace, as its instrumentation packages do: the using that brings AddMeter brings this too.
namespace OpenTelemetry.Metrics;

/// <summary>Subscribes an OpenTelemetry meter provider to the Scenario receiver's metrics.</summary>
public static class ScenarioReceiverMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds the receiver's <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="ScenarioReceiverInstrumentation.MeterName"/>):
    /// the counters <c>scenario.receiver.tasks.accepted|duplicate|completed|errored</c>,
    /// <c>scenario.receiver.reports.attempts|failures</c>, <c>scenario.receiver.redirects</c> and the histograms
    /// <c>scenario.receiver.work.duration</c> and <c>scenario.receiver.reports.duration</c> (seconds).
    /// </summary>
    /// <param name="builder">The meter provider's builder, e.g. in <c>AddOpenTelemetry().WithMetrics(…)</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static MeterProviderBuilder AddScenarioReceiverInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ScenarioReceiverInstrumentation.MeterName);
    }
}
