using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Entries;

/// <summary>
/// The allow-list of endpoints a job may run, built once at start-up from every entry point's adapter. A
/// job names an entry by key and never a .NET type or method, so job data cannot make the worker load
/// arbitrary code. Building it checks each endpoint, so one that cannot run in a job, or a
/// <see cref="ScenarioLongRunningAttribute"/> that would be ignored, stops the host at start-up.
/// </summary>
internal sealed class LongRunningEntryCatalog(IEnumerable<ILongRunningEntrySource> sources, IServiceProvider services)
{
    /// <summary>How long a job that starts with the host waits for the catalog, built once the host has started.</summary>
    internal static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly Lazy<Dictionary<string, ILongRunningEntry>> _byKey = new(() => Build(sources.ToArray(), services));
    private readonly TaskCompletionSource _built = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<ILongRunningEntry> Entries
    {
        get
        {
            EnsureBuilt();
            return _byKey.Value.Values;
        }
    }

    /// <summary>Builds the catalog now: at start-up, so a bad endpoint fails the host, not the first request or job.</summary>
    public void EnsureBuilt()
    {
        _ = _byKey.Value;
        _built.TrySetResult();
    }

    /// <summary>
    /// The entry a job names. A Hangfire server may pick a job up before the host has finished starting, when
    /// the minimal-API endpoints are not registered yet: the job waits for the catalog rather than find it incomplete.
    /// </summary>
    public async Task<ILongRunningEntry?> FindAsync(string key, CancellationToken cancellationToken)
    {
        await _built.Task.WaitAsync(ReadyTimeout, cancellationToken).ConfigureAwait(false);
        return _byKey.Value.GetValueOrDefault(key);
    }

    private static Dictionary<string, ILongRunningEntry> Build(ILongRunningEntrySource[] sources, IServiceProvider services)
    {
        var byKey = new Dictionary<string, ILongRunningEntry>(StringComparer.Ordinal);
        foreach (var entry in sources.SelectMany(source => source.Discover()))
        {
            if (byKey.TryGetValue(entry.Key, out var clash))
            {
                throw new InvalidOperationException(
                    $"Two long-running endpoints share the key '{entry.Key}': {clash.DisplayName} and {entry.DisplayName}. Jobs name endpoints by this key: rename one (for a minimal-API endpoint, give it a name with WithName(...)).");
            }

            byKey.Add(entry.Key, entry);
        }

        RefuseIgnoredAttributes(sources, services);
        return byKey;
    }

    /// <summary>An attribute that no entry point acts on would leave a task RUNNING in Scenario with no one told.</summary>
    private static void RefuseIgnoredAttributes(ILongRunningEntrySource[] sources, IServiceProvider services)
    {
        if (services.GetService<EndpointDataSource>() is not { } endpoints)
        {
            return;
        }

        foreach (var endpoint in endpoints.Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<ScenarioLongRunningAttribute>() is not null && !sources.Any(source => source.Handles(endpoint)))
            {
                throw new InvalidOperationException(
                    $"[ScenarioLongRunning] on the endpoint '{endpoint.DisplayName}' would be ignored: an attribute makes a controller action long-running, not a minimal-API handler. Call .WithScenarioLongRunning() on the endpoint (or its group) instead; it takes the same settings (retries, timeoutSeconds, queue).");
            }
        }
    }
}
