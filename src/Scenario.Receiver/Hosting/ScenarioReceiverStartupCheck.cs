using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Recovery;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tasks.PostgreSql;

namespace Scenario.Receiver.Hosting;

/// <summary>
/// Runs with the host's start, so a mistake stops the host with a message that names the fix instead of
/// failing the first task: Hangfire must be registered (checked first), its storage must not be configured to run
/// work twice or break a held lock (<see cref="HangfirePostgreSqlSettings"/>), every instance sharing its storage must
/// keep its task records in the same store (<see cref="TaskStoreMarker"/>), and the catalog of long-running
/// endpoints is built once the host has started, which checks every endpoint.
/// </summary>
internal sealed class ScenarioReceiverStartupCheck(IServiceProvider services, ILogger<ScenarioReceiverStartupCheck> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IBackgroundJobClient>() is null || services.GetService<JobStorage>() is not { } storage)
        {
            throw new InvalidOperationException(
                "The Scenario receiver runs work in Hangfire, which is not registered: call builder.Services.AddHangfire(c => c.UseInMemoryStorage()) (or another storage) and builder.Services.AddHangfireServer().");
        }

        if (services.GetService<IJobFilterProvider>() is not { } filters || !ScenarioJobFilterProvider.Serves(filters))
        {
            // Without it, a work job deleted from the dashboard is reported only by the sweeper, an interval later.
            throw new InvalidOperationException(
                "The Hangfire job filter provider registered in this host's services does not include the Scenario receiver's filters: an IJobFilterProvider was registered after AddScenarioReceiver, which wraps the one registered before it. Register your own IJobFilterProvider before calling AddScenarioReceiver.");
        }

        var taskStore = services.GetRequiredService<ITaskStore>();
        CheckStorageSettings(storage, taskStore);

        var store = taskStore.Name;
        string? other;
        try
        {
            other = TaskStoreMarker.MarkOrFindOther(storage, store);
        }
#pragma warning disable CA1031 // A storage down at start-up must not keep the host from starting: accepts answer 503 until it is back.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TaskStoreNotChecked(logger, ex, store);
            return Task.CompletedTask;
        }

        return other is null ? Task.CompletedTask : throw TaskStoreMarker.Mismatch(store, other);
    }

    private void CheckStorageSettings(JobStorage storage, ITaskStore taskStore)
    {
        if (!HangfirePostgreSqlSettings.IsFor(storage))
        {
            return;
        }

        if (HangfirePostgreSqlSettings.Read(storage) is not { } settings)
        {
            Log.StorageSettingsNotChecked(logger, storage.GetType().Assembly.GetName().Version?.ToString() ?? "unknown");
            return;
        }

        var reporting = taskStore is HangfireTaskStore ? services.GetRequiredService<IOptions<ScenarioReceiverOptions>>().Value.Reporting : null;
        if (settings.Refusals(reporting) is { Count: > 0 } refusals)
        {
            throw new InvalidOperationException(string.Join(" ", refusals));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// After every hosted service has started: the web host builds its request pipeline in its own start,
    /// and only then are the minimal-API endpoints registered where the catalog can find them.
    /// </summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<LongRunningEntryCatalog>().EnsureBuilt();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
