using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// The receiver's own Hangfire server for <see cref="ScenarioReportingOptions.ReportQueue"/>, with
/// <see cref="ScenarioReportingOptions.Workers"/> workers: report jobs wait for Scenario on these workers, never on the
/// workers of the work, and the application's server needs no change to its queues. Built as <c>AddHangfireServer</c>
/// builds one, on the storage, job activator and filter provider in DI (never Hangfire's static configuration).
/// It starts only in a host that runs a Hangfire server of its own: a host that only enqueues (a web front, a test
/// host without a server) runs no job at all, and report jobs run where the work does.
/// </summary>
internal sealed class ScenarioReportServer(IServiceProvider services, IOptions<ScenarioReceiverOptions> options, ILogger<ScenarioReportServer> logger)
    : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var workers = options.Value.Reporting.Workers;
        if (workers == 0)
        {
            Log.ReportServerNotStarted(logger, $"Scenario:Reporting:Workers is 0; a Hangfire server of the application must list the queue '{ScenarioReportingOptions.ReportQueue}'");
            return Task.CompletedTask;
        }

        // Resolved at start, not at registration: AddHangfireServer may come after AddScenarioReceiver.
        if (!services.GetServices<IHostedService>().OfType<BackgroundJobServerHostedService>().Any())
        {
            Log.ReportServerNotStarted(logger, "this host runs no Hangfire server (AddHangfireServer); report jobs run on the hosts that do");
            return Task.CompletedTask;
        }

        var serverOptions = new BackgroundJobServerOptions
        {
            ServerName = string.Concat(Environment.MachineName, ":", ScenarioReportingOptions.ReportQueue),
            Queues = [ScenarioReportingOptions.ReportQueue],
            WorkerCount = workers,
            Activator = services.GetRequiredService<JobActivator>(),
            FilterProvider = services.GetService<IJobFilterProvider>() ?? JobFilterProviders.Providers,
            TimeZoneResolver = services.GetService<ITimeZoneResolver>(),
        };
        _server = new BackgroundJobServer(serverOptions, services.GetRequiredService<JobStorage>());
        Log.ReportServerStarted(logger, workers, ScenarioReportingOptions.ReportQueue);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Taken once: a host disposed while it stops (seen with WebApplicationFactory) must not stop a disposed server.
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            server.SendStop();
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            server.Dispose();
        }
    }

    public void Dispose() => Interlocked.Exchange(ref _server, null)?.Dispose();
}
