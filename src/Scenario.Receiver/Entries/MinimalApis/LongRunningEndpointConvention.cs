using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// What <c>WithScenarioLongRunning()</c> does to each endpoint it reaches (one, or every endpoint of a group):
/// marks it long-running in its metadata, and adds the filter that accepts the task instead of running the
/// handler. Endpoint filters run in the order they were added, so filters added before this call (and a
/// group's) run in the request; filters added after it sit inside, around the handler, and run in the job.
/// ASP.NET Core may build an endpoint more than once (each endpoint data source composite builds its own),
/// so each build gets its own entry; all of them carry the same key and run the same handler.
/// </summary>
internal static class LongRunningEndpointConvention
{
    public static void Apply(EndpointBuilder endpoint, ScenarioLongRunningAttribute? requested)
    {
        // An attribute on the handler gives the settings when the call names none.
        var attribute = requested ?? endpoint.Metadata.OfType<ScenarioLongRunningAttribute>().LastOrDefault() ?? new ScenarioLongRunningAttribute();
        var entry = new MinimalApiEntry(LongRunningSettings.From(attribute), endpoint.DisplayName ?? "(unnamed endpoint)");
        endpoint.Metadata.Add(attribute);
        endpoint.Metadata.Add(entry);

        // First of all filters, a group's and those added before ours included: marks that binding got as far as
        // the filters, which tells the request guard whether a bare 400 was left by the binder.
        endpoint.FilterFactories.Insert(0, (_, next) => invocation =>
        {
            invocation.HttpContext.Features.Get<FilterPipelineReached>()?.Mark();
            return next(invocation);
        });
        endpoint.FilterFactories.Add((context, next) =>
        {
            var services = context.ApplicationServices;
            if (services.GetService<RequestAcceptance>() is not { } acceptance)
            {
                return ReceiverNotAdded(services, entry);
            }

            var jsonOptions = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var parameters = HandlerParameterClassifier.Classify(context.MethodInfo, services, entry.DisplayName);
            entry.Attach(parameters, HandlerParameterClassifier.BodyParameters(context.MethodInfo, parameters), jsonOptions, next);
            var filter = new LongRunningEndpointFilter(entry, acceptance);
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }

    /// <summary>
    /// The endpoint of a host that never called <c>AddScenarioReceiver</c>. ASP.NET Core builds a single endpoint, and runs
    /// this factory, at its first request, after start-up: too late to stop the host (a route group is checked when
    /// <c>WithScenarioLongRunning()</c> is called on it, which is at start-up). Throwing here would fail the building of
    /// every endpoint of the host, health checks included, with a bare 500; running the handler in the request would
    /// leave Scenario's task RUNNING with no one to report it. So each call is answered a problem+json 500 that names the
    /// missing call, logged at Error, and the handler never runs.
    /// </summary>
    private static EndpointFilterDelegate ReceiverNotAdded(IServiceProvider services, MinimalApiEntry entry)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(LongRunningEndpointFilter)) ?? NullLogger.Instance;
        var fix = ScenarioReceiverMarker.NotAdded($"{nameof(ScenarioLongRunningEndpointConventionBuilderExtensions.WithScenarioLongRunning)}()").Message;
        return _ =>
        {
            Log.ReceiverNotAdded(logger, entry.DisplayName, fix);
            return ValueTask.FromResult<object?>(ProblemResponses.ReceiverNotAdded(fix));
        };
    }

    /// <summary>
    /// Wraps the endpoint's request delegate, built by now, in the <see cref="LongRunningRequestGuard"/>: the
    /// body limit and the answer to a body the binder could not read both come before any filter.
    /// </summary>
    public static void Guard(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.OfType<MinimalApiEntry>().LastOrDefault() is not { } entry
            || endpoint.RequestDelegate is not { } inner
            || inner.Target is LongRunningRequestGuard
            || endpoint.ApplicationServices.GetService<RequestAcceptance>() is not { } acceptance)
        {
            return;
        }

        endpoint.RequestDelegate = new LongRunningRequestGuard(inner, entry, acceptance).InvokeAsync;
    }

    /// <summary>
    /// Names the entry once every convention has run (a <c>WithName</c> after ours included): the endpoint
    /// name when it has one, else its verbs and route, e.g. <c>POST /api/quotes</c>. Jobs carry this key.
    /// </summary>
    public static void Name(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.OfType<MinimalApiEntry>().LastOrDefault() is not { } entry)
        {
            return;
        }

        var key = endpoint.Metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
        if (key is null)
        {
            var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
            var route = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? endpoint.DisplayName ?? "?";
            key = methods.Count == 0 ? route : $"{string.Join(',', methods)} {route}";
        }

        entry.Name(key, endpoint.DisplayName ?? key);
    }
}
