using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scenario.Receiver.LongRunning;

namespace Scenario.Receiver;

/// <summary>
/// Runs with the host's start: builds the catalog of long-running actions (which checks their
/// parameters) and checks that Hangfire is registered, so a mistake stops the host with a message that
/// names the fix instead of failing the first task.
/// </summary>
internal sealed class ScenarioReceiverStartupCheck : IHostedService
{
    private readonly IServiceProvider _services;

    public ScenarioReceiverStartupCheck(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService<IBackgroundJobClient>() is null || _services.GetService<JobStorage>() is null)
        {
            throw new InvalidOperationException(
                "The Scenario receiver runs work in Hangfire, which is not registered: call builder.Services.AddHangfire(c => c.UseInMemoryStorage()) (or another storage) and builder.Services.AddHangfireServer().");
        }

        _services.GetRequiredService<LongRunningEntryCatalog>().EnsureBuilt();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
