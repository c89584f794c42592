using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scenario.Receiver.Testing;

// In the host's namespace, as ASP.NET Core's own extensions are, so users need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Hangfire for one host without Hangfire's process-wide static configuration.</summary>
public static class IsolatedHangfireServiceCollectionExtensions
{
    /// <summary>
    /// What <c>AddHangfire</c> registers, without its side effect: <c>AddHangfire</c> points Hangfire's static
    /// configuration (the static current storage, its log provider and job activator) at the last host built,
    /// which crosses hosts in one process and breaks the others once that one is disposed. This gives the host
    /// its own storage, activator, job client and recurring job manager; the <c>IGlobalConfiguration</c>
    /// registration is a marker of the host's own (<c>IsolatedHangfireConfiguration</c>) that <c>AddHangfireServer</c> and <c>UseHangfireDashboard</c> check for.
    /// Add the server with <c>AddHangfireServer</c> and the dashboard with <c>UseHangfireDashboard</c> as usual. <c>UseScenarioStandIn</c> calls it for a
    /// <c>WebApplicationFactory</c> host.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="storage">The host's own job storage.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIsolatedHangfire(this IServiceCollection services, Func<IServiceProvider, JobStorage> storage)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(storage);
        services.AddSingleton(storage);
        return services.AddHangfireServicesOverStorage();
    }

    /// <inheritdoc cref="AddIsolatedHangfire(IServiceCollection, Func{IServiceProvider, JobStorage})"/>
    /// <remarks>Registered as an instance, so the host does not dispose it: several hosts in turn may share it.</remarks>
    public static IServiceCollection AddIsolatedHangfire(this IServiceCollection services, JobStorage storage)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(storage);
        services.AddSingleton(storage);
        return services.AddHangfireServicesOverStorage();
    }

    private static IServiceCollection AddHangfireServicesOverStorage(this IServiceCollection services)
    {
        services.AddSingleton<IGlobalConfiguration, IsolatedHangfireConfiguration>();
        services.TryAddSingleton<IJobFilterProvider>(_ => JobFilterProviders.Providers);

        // What UseHangfireDashboard resolves besides the marker, as AddHangfire registers them: the dashboard's routes
        // (Hangfire keeps one collection for the process; pages add to it, nothing in it points at a host) and the time
        // zones of recurring jobs.
        services.TryAddSingleton(_ => DashboardRoutes.Routes);
        services.TryAddSingleton<ITimeZoneResolver>(_ => new DefaultTimeZoneResolver());
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton(provider => new BackgroundJobClient(provider.GetRequiredService<JobStorage>(), provider.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IBackgroundJobClient>(provider => provider.GetRequiredService<BackgroundJobClient>());
        services.AddSingleton<IBackgroundJobClientV2>(provider => provider.GetRequiredService<BackgroundJobClient>());
        services.AddSingleton(provider => new RecurringJobManager(provider.GetRequiredService<JobStorage>(), provider.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IRecurringJobManager>(provider => provider.GetRequiredService<RecurringJobManager>());
        services.AddSingleton<IRecurringJobManagerV2>(provider => provider.GetRequiredService<RecurringJobManager>());
        return services;
    }
}
