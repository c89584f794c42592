using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Benchmarks.Work;

/// <summary>
/// What AddHangfire registers, without its static side effects (JobStorage.Current, the global activator):
/// the load benchmark runs several hosts in one process, each on its own InMemory storage. The same
/// approach as the tests' ReceiverTestHost.AddIsolatedHangfire.
/// </summary>
public static class IsolatedHangfire
{
    public static void Add(IServiceCollection services, JobStorage storage)
    {
        services.AddSingleton(storage);
        services.AddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration);
        services.AddSingleton<IJobFilterProvider>(_ => JobFilterProviders.Providers);
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(storage, sp.GetRequiredService<IJobFilterProvider>()));
    }
}
