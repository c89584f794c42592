using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// The minimal-API entry point's long-running endpoints, found in the host's endpoint data sources at
/// start-up (which builds them, so a job that starts before any request finds its endpoint).
/// </summary>
internal sealed class MinimalApiEntrySource(IServiceProvider services) : ILongRunningEntrySource
{
    public IEnumerable<ILongRunningEntry> Discover()
    {
        if (services.GetService<EndpointDataSource>() is not { } dataSource)
        {
            return [];
        }

        var entries = new List<ILongRunningEntry>();
        foreach (var endpoint in dataSource.Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<MinimalApiEntry>() is not { } entry)
            {
                continue;
            }

            if (!entry.IsAttached)
            {
                throw new InvalidOperationException(
                    $"WithScenarioLongRunning() cannot make '{endpoint.DisplayName}' long-running: only a route handler (MapGet, MapPost… with a delegate) runs endpoint filters. Map it with a delegate, or, for a controller action, put [ScenarioLongRunning] on the action instead.");
            }

            entries.Add(entry);
        }

        return entries;
    }

    public bool Handles(Endpoint endpoint) => endpoint.Metadata.GetMetadata<MinimalApiEntry>() is not null;
}
