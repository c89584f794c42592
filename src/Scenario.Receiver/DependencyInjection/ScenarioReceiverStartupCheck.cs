using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scenario.Receiver.LongRunning;

namespace Scenario.Receiver;

/// <summary>
/// Runs with the host's start, so a mistake stops the host with a message that names the fix instead of
/// failing the first task: Hangfire must be registered (checked first), and the catalog of long-running
/// endpoints is built once the host has started, which checks every endpoint.
/// </summary>
internal sealed class ScenarioReceiverStartupCheck(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IBackgroundJobClient>() is null || services.GetService<JobStorage>() is null)
        {
            throw new InvalidOperationException(
                "The Scenario receiver runs work in Hangfire, which is not registered: call builder.Services.AddHangfire(c => c.UseInMemoryStorage()) (or another storage) and builder.Services.AddHangfireServer().");
        }

        return Task.CompletedTask;
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
