using Hangfire.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Scenario.Receiver;
using Scenario.Receiver.Completion;
using Scenario.Receiver.Dashboard;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Entries.MinimalApis;
using Scenario.Receiver.Entries.Mvc;
using Scenario.Receiver.Entries.OpenApi;
using Scenario.Receiver.Hosting;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Recovery;
using Scenario.Receiver.Request;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.InMemory;
using Scenario.Receiver.Work;

// In the host's namespace, as ASP.NET Core's own extensions are, so users need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Scenario receiver.</summary>
public static class ScenarioReceiverServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Scenario receiver, bound to a configuration section (usually <c>Scenario</c>): the task
    /// context, the <see cref="ScenarioLongRunningAttribute"/> filter, the jobs and the status client.
    /// Hangfire itself is registered by the application (<c>AddHangfire</c>, <c>AddHangfireServer</c>).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section holding <c>BaseUrl</c>, <c>ApiKey</c> and the other <see cref="ScenarioReceiverOptions"/>.</param>
    /// <returns>The receiver's builder, which a storage's package extends (<c>.UsePostgreSqlTaskStore()</c>); it is the services too, for chaining.</returns>
    public static ScenarioReceiverBuilder AddScenarioReceiver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ScenarioReceiverOptions>().Bind(configuration);
        return new ScenarioReceiverBuilder(services.AddScenarioReceiverCore());
    }

    /// <summary>Adds the Scenario receiver, configured in code.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets <see cref="ScenarioReceiverOptions"/>.</param>
    /// <returns>The receiver's builder, which a storage's package extends (<c>.UsePostgreSqlTaskStore()</c>); it is the services too, for chaining.</returns>
    public static ScenarioReceiverBuilder AddScenarioReceiver(this IServiceCollection services, Action<ScenarioReceiverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ScenarioReceiverOptions>().Configure(configure);
        return new ScenarioReceiverBuilder(services.AddScenarioReceiverCore());
    }

    private static IServiceCollection AddScenarioReceiverCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(ScenarioReceiverMarker)))
        {
            return services;
        }

        services.AddSingleton<ScenarioReceiverMarker>();
        services.AddOptions<ScenarioReceiverOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScenarioReceiverOptions>, ScenarioReceiverOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ScenarioReceiverStartupCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RenamedSettingsWarning>());

        services.TryAddSingleton(TimeProvider.System);

        // The Scenario page of whatever Hangfire dashboard the host maps: Hangfire's routes are per process, the page's
        // data per host (from the request's services; the navigation item's count through the context accessor).
        ScenarioDashboard.Register();
        services.AddHttpContextAccessor();
        services.TryAddScoped<ScenarioTaskContext>();
        services.TryAddSingleton<TaskContextCapture>();
        services.AddMetrics();
        services.TryAddSingleton<ScenarioMetrics>();

        // The task core, and one adapter per entry point.
        services.TryAddSingleton<LongRunningEntryCatalog>();
        services.TryAddSingleton<RequestAcceptance>();
        services.TryAddSingleton<RequestSnapshotCapture>();
        services.TryAddSingleton<StorageCallThreads>();
        services.TryAddSingleton<IWorkJobs, WorkJobs>();
        services.TryAddSingleton<TaskAcceptor>();
        MvcEntryPoint.Register(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILongRunningEntrySource, MinimalApiEntrySource>());
        OpenApiDescription.Register(services);

        // The jobs.
        services.TryAddSingleton<EndpointOutcomeMapper>();
        services.TryAddSingleton<InMemoryTaskTable>();
        services.TryAddSingleton<TaskStoreChoice>();
        services.TryAddSingleton<ITaskStore>(provider => provider.GetRequiredService<TaskStoreChoice>().Choose(provider));
        services.TryAddSingleton<ITaskJobs, TaskJobs>();
        services.TryAddSingleton<TaskLifecycle>();
        AddJobFilters(services);
        services.TryAddSingleton<JobLookup>();
        services.TryAddSingleton<StatusUrlPolicy>();
        services.TryAddSingleton<ProgressReporterFactory>();
        services.TryAddSingleton<PromptRetries>();
        services.TryAddTransient<ScenarioWorkJob>();
        services.TryAddTransient<WorkRunner>();
        services.TryAddTransient<ScenarioReportJob>();
        services.TryAddTransient<TerminalStatusDelivery>();
        services.TryAddTransient<ScenarioSweepJob>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SweepScheduler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ScenarioReportServer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StandingListsCatchUp>());

        // Finishing a task from anywhere, deferral and Scenario's cancellation.
        services.TryAddTransient<IScenarioTaskCompletion, ScenarioTaskCompletion>();
        services.TryAddTransient<ScenarioDeferralJob>();
        services.TryAddSingleton<CancellationQuery>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DeferredCancellationCheck>());

        // HttpClient's own timeout is off: each post has its own, from Scenario:Reporting:RequestTimeout.
        // Header values are redacted in HttpClient's logs: the Authorization header carries the API key.
        // No redirect is followed: an SSO proxy's 302 to a login page that answers 200 would read as a delivered
        // status, and a 307 to another host would send it the terminal status and its outputs. The primary handler
        // is ours, with AllowAutoRedirect off; a host's own primary handler (ConfigureHttpClientDefaults) is replaced,
        // and the option is forced off again after every other configuration (EnforceNoRedirects), should a host
        // configure these clients' handlers itself.
        // No resilience handler from the host (ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler()),
        // as .NET Aspire apps do): it would retry a terminal POST inside our own durable retry schedule, and every
        // retried post whose first try Scenario did take is a duplicate terminal status. Host defaults are applied
        // before a client's own configuration, so this removes them whatever the registration order. It is what
        // RemoveAllResilienceHandlers does, written out because that method is still experimental (EXTEXP0001)
        // and a library must not break when a host upgrades the package.
        services.TryAddSingleton<ScenarioRedirects>();
        var statusClient = services.AddHttpClient<ScenarioStatusClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(NoRedirectHandler)
            .RedactLoggedHeaders(_ => true)
            .ConfigureAdditionalHttpMessageHandlers(static (handlers, _) => RemoveResilienceHandlers(handlers));

        // Its sibling for Scenario's cancellation query, configured alike (the question carries the API key too).
        var cancellationClient = services.AddHttpClient<ScenarioCancellationClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(NoRedirectHandler)
            .RedactLoggedHeaders(_ => true)
            .ConfigureAdditionalHttpMessageHandlers(static (handlers, _) => RemoveResilienceHandlers(handlers));
        EnforceNoRedirects(services, statusClient.Name);
        EnforceNoRedirects(services, cancellationClient.Name);

        return services;
    }

    /// <summary>
    /// Wraps the host's <see cref="IJobFilterProvider"/> (registered by <c>AddHangfire</c> before or after this call, or the
    /// application's own registered before it) in <see cref="ScenarioJobFilterProvider"/>, which adds the filters built with
    /// the host's services. Registered in place of the one found; when none is registered yet, it wraps what
    /// <c>AddHangfire</c> would register (Hangfire's default providers), and <c>AddHangfire</c>'s own registration, a
    /// TryAdd, then steps aside. The start-up check stops a host whose provider was replaced after this call.
    /// </summary>
    private static void AddJobFilters(IServiceCollection services)
    {
        var registered = services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(IJobFilterProvider) && !descriptor.IsKeyedService);
        if (registered is not null)
        {
            services.Remove(registered);
        }

        services.AddSingleton<IJobFilterProvider>(provider => new ScenarioJobFilterProvider(
            Inner(registered, provider), new Lazy<TaskLifecycle>(provider.GetRequiredService<TaskLifecycle>)));

        static IJobFilterProvider Inner(ServiceDescriptor? registered, IServiceProvider provider) => registered switch
        {
            null => JobFilterProviders.Providers,
            { ImplementationInstance: IJobFilterProvider instance } => instance,
            { ImplementationFactory: { } factory } => (IJobFilterProvider)factory(provider),
            { ImplementationType: { } type } => (IJobFilterProvider)ActivatorUtilities.CreateInstance(provider, type),
            _ => JobFilterProviders.Providers,
        };
    }

    private static SocketsHttpHandler NoRedirectHandler() => new SocketsHttpHandler { AllowAutoRedirect = false };

    /// <summary>
    /// After every configuration of the client, the host's included (a post-configure runs last), switches redirects off
    /// on whatever primary handler it ended with.
    /// </summary>
    private static void EnforceNoRedirects(IServiceCollection services, string clientName)
        => services.PostConfigure<HttpClientFactoryOptions>(
            clientName,
            options => options.HttpMessageHandlerBuilderActions.Add(static builder =>
            {
                switch (builder.PrimaryHandler)
                {
                    case SocketsHttpHandler sockets:
                        sockets.AllowAutoRedirect = false;
                        break;
                    case HttpClientHandler client:
                        client.AllowAutoRedirect = false;
                        break;
                }
            }));

    private static void RemoveResilienceHandlers(IList<DelegatingHandler> handlers)
    {
        for (var i = handlers.Count - 1; i >= 0; i--)
        {
            if (handlers[i] is ResilienceHandler)
            {
                handlers.RemoveAt(i);
            }
        }
    }
}
