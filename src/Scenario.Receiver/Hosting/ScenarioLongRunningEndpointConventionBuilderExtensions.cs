using Microsoft.AspNetCore.Routing;
using Scenario.Receiver;
using Scenario.Receiver.Entries.MinimalApis;

// In the host's namespace, as ASP.NET Core's own extensions are, so users need no extra using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Makes minimal-API endpoints long-running Scenario tasks.</summary>
public static class ScenarioLongRunningEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Moves the endpoint's handler out of the request into a Hangfire job, as
    /// <see cref="ScenarioLongRunningAttribute"/> does for a controller action: the call still goes through
    /// routing, authorization and parameter binding, then is answered <c>202 Accepted</c> with
    /// <c>{"taskInstanceId": "…", "jobId": "…"}</c>, and Scenario receives <c>Completed</c> or <c>Error</c>
    /// with the status code the handler would have answered. On a route group it applies to every endpoint
    /// of the group. Endpoint filters added before this call run in the request; filters added after it run
    /// in the job, around the handler.
    /// </summary>
    /// <typeparam name="TBuilder">A <c>RouteHandlerBuilder</c>, a <c>RouteGroupBuilder</c>, or another convention builder of route handlers.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="retries">As <see cref="ScenarioLongRunningAttribute.Retries"/>; default 0, or the handler's attribute's.</param>
    /// <param name="timeoutSeconds">As <see cref="ScenarioLongRunningAttribute.TimeoutSeconds"/>; default 0 (<see cref="ScenarioReceiverOptions.DefaultTimeout"/>), or the handler's attribute's.</param>
    /// <param name="queue">As <see cref="ScenarioLongRunningAttribute.Queue"/>; default Hangfire's "default" queue, or the handler's attribute's.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="InvalidOperationException">
    /// On a route group of a host that never called <c>AddScenarioReceiver</c>, naming that call. A single endpoint of
    /// such a host answers each call with a problem+json 500 naming it, logged at Error, and never runs its handler.
    /// </exception>
    public static TBuilder WithScenarioLongRunning<TBuilder>(this TBuilder builder, int? retries = null, int? timeoutSeconds = null, string? queue = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        // A route group knows the host's services now, at start-up: without the receiver's, stop here. A single
        // endpoint's builder does not; its endpoint answers a problem+json 500 naming the fix instead (see the convention).
        if (builder is IEndpointRouteBuilder group)
        {
            ScenarioReceiverMarker.EnsureAdded(group.ServiceProvider, $"{nameof(WithScenarioLongRunning)}()");
        }

        // Validated now, by the attribute's own setters: a bad value fails where it is written.
        ScenarioLongRunningAttribute? requested = null;
        if (retries is not null || timeoutSeconds is not null || queue is not null)
        {
            requested = new ScenarioLongRunningAttribute { Retries = retries ?? 0, TimeoutSeconds = timeoutSeconds ?? 0, Queue = queue };
        }

        builder.Add(endpoint => LongRunningEndpointConvention.Apply(endpoint, requested));
        builder.Finally(LongRunningEndpointConvention.Name);
        builder.Finally(LongRunningEndpointConvention.Guard);
        return builder;
    }
}
