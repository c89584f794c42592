using Scenario.Receiver;

// In OpenTelemetry's own namespace, as its instrumentation packages do: the using that brings AddSource brings this too.
namespace OpenTelemetry.Trace;

/// <summary>Subscribes an OpenTelemetry tracer provider to the Scenario receiver's traces.</summary>
public static class ScenarioReceiverTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds the receiver's <see cref="System.Diagnostics.ActivitySource"/>
    /// (<see cref="ScenarioReceiverInstrumentation.ActivitySourceName"/>): one trace per task, its activities
    /// <c>scenario.accept</c> (the RestCall, under ASP.NET Core's request activity), <c>scenario.work</c> (the Hangfire job)
    /// and <c>scenario.report</c> (the status post), tagged <c>scenario.task_instance_id</c>.
    /// </summary>
    /// <param name="builder">The tracer provider's builder, e.g. in <c>AddOpenTelemetry().WithTracing(…)</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TracerProviderBuilder AddScenarioReceiverInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ScenarioReceiverInstrumentation.ActivitySourceName);
    }
}
