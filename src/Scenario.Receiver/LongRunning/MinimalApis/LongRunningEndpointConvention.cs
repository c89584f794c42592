using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scenario.Receiver.LongRunning.MinimalApis;

/// <summary>
/// What <c>WithScenarioLongRunning()</c> does to each endpoint it reaches (one, or every endpoint of a group):
/// marks it long-running in its metadata, and adds the filter that accepts the task instead of running the
/// handler. Endpoint filters run in the order they were added, so filters added before this call (and a
/// group's) run in the request; filters added after it sit inside, around the handler, and run in the job.
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
        endpoint.FilterFactories.Add((context, next) =>
        {
            var services = context.ApplicationServices;
            var acceptance = services.GetService<RequestAcceptance>()
                ?? throw new InvalidOperationException(
                    "WithScenarioLongRunning() needs the Scenario receiver's services: call builder.Services.AddScenarioReceiver(builder.Configuration.GetSection(\"Scenario\")) at start-up.");
            var jsonOptions = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            entry.Attach(context.MethodInfo, HandlerParameterClassifier.Classify(context.MethodInfo, services, entry.DisplayName), jsonOptions, next);
            var filter = new LongRunningEndpointFilter(entry, acceptance);
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }
}
