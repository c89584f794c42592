using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Hosting;

/// <summary>
/// At start-up, on the generic store only, puts the tasks an earlier version accepted into the dashboard's lists per
/// standing (<see cref="HangfireTaskStore.ListUnlistedAsync"/>). The PostgreSQL store's list is a generated column,
/// filled for existing rows when it is added; the in-memory store lives no longer than the process.
/// </summary>
/// <remarks>In the background, after the start: a storage with many tasks must not hold up the host.</remarks>
internal sealed class StandingListsCatchUp(IServiceProvider services, ILogger<StandingListsCatchUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not in the constructor: the start-up check names what is missing first (ScenarioReceiverStartupCheck).
        if (services.GetRequiredService<ITaskStore>() is not HangfireTaskStore generic)
        {
            return;
        }

        // Hangfire's storage API is synchronous: off the thread that starts the host.
        await Task.Yield();
        try
        {
            var placed = await generic.ListUnlistedAsync(stoppingToken).ConfigureAwait(false);
            if (placed > 0)
            {
                Log.UnlistedTasksPlaced(logger, placed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A storage down at start-up must not stop the host: the lists catch up at the next start.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.UnlistedTasksNotPlaced(logger, ex);
        }
    }
}
