using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// Stops a host at start-up whose Hangfire.PostgreSql storage is configured to run work twice or break a held lock
/// (<see cref="HangfirePostgreSqlSettings"/>), with a message that names the fix, instead of a status posted twice later.
/// Registered by <c>UsePostgreSqlTaskStore()</c>, after the core package's start-up check, which has made sure Hangfire is
/// registered.
/// </summary>
internal sealed class HangfirePostgreSqlStartupCheck(IServiceProvider services, ILogger<HangfirePostgreSqlStartupCheck> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<JobStorage>() is not { } storage || !HangfirePostgreSqlSettings.IsFor(storage))
        {
            return Task.CompletedTask;
        }

        if (HangfirePostgreSqlSettings.Read(storage) is not { } settings)
        {
            Log.StorageSettingsNotChecked(logger, storage.GetType().Assembly.GetName().Version?.ToString() ?? "unknown");
            return Task.CompletedTask;
        }

        // Only a store whose report lock is Hangfire's distributed lock depends on the storage's lock timeout.
        var reporting = services.GetRequiredService<ITaskStore>().InJobStorage ? services.GetRequiredService<IOptions<ScenarioReceiverOptions>>().Value.Reporting : null;
        return settings.Refusals(reporting) is { Count: > 0 } refusals
            ? throw new InvalidOperationException(string.Join(" ", refusals))
            : Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
