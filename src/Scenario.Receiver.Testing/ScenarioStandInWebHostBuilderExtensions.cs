using Hangfire;
using Hangfire.InMemory;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scenario.Receiver.Testing;

// In the host's namespace, like ASP.NET Core's own IWebHostBuilder extensions: no extra using for the user.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>Points a host under test (a <c>WebApplicationFactory&lt;Program&gt;</c>, a TestServer) at a <see cref="ScenarioStandIn"/>.</summary>
public static class ScenarioStandInWebHostBuilderExtensions
{
    // What AddHangfire and its clients register; replaced so that nothing resolves the app's Hangfire configuration.
    private static readonly Type[] ReplacedServices =
    [
        typeof(IGlobalConfiguration),
        typeof(JobStorage),
        typeof(JobActivator),
        typeof(IBackgroundJobClient),
        typeof(IBackgroundJobClientV2),
        typeof(IRecurringJobManager),
        typeof(IRecurringJobManagerV2),
    ];

    // The receiver's settings of its task store (ScenarioTaskStoreOptions.Kind and ConnectionString), read from the
    // Scenario section as BaseUrl and ApiKey are.
    private const string TaskStoreKindKey = "Scenario:TaskStore:Kind";
    private const string TaskStoreConnectionStringKey = "Scenario:TaskStore:ConnectionString";

    /// <summary>
    /// Points the host's Scenario receiver at <paramref name="standIn"/> (<c>Scenario:BaseUrl</c>, <c>Scenario:ApiKey</c>)
    /// and gives the host a Hangfire of its own: storage (Hangfire.InMemory unless told otherwise), job activator,
    /// <see cref="IBackgroundJobClient"/>, <see cref="IRecurringJobManager"/> and server. They replace whatever the
    /// application registered with <c>AddHangfire(...)</c> and <c>AddHangfireServer()</c>, a PostgreSQL storage included,
    /// whose configuration callback then never runs. Several hosts, each with its own stand-in, can so run in parallel
    /// in one test process. The task store is isolated too: <c>Scenario:TaskStore:Kind</c> is set to <c>InMemory</c> (to
    /// <c>Automatic</c> when <see cref="ScenarioStandInHostOptions.Storage"/> gives a storage of the test's) and
    /// <c>Scenario:TaskStore:ConnectionString</c> is emptied over appsettings and the environment, so the receiver keeps
    /// its task records beside the host's own job storage (in memory on Hangfire.InMemory) and never writes into the
    /// database the machine is configured with, not even with the PostgreSQL task store registered, unless
    /// <see cref="ScenarioStandInHostOptions.UseApplicationTaskStore"/> asks for the application's.
    /// </summary>
    /// <remarks>
    /// Hangfire's <c>AddHangfire</c> points process-wide statics (the static current storage, its log provider and job
    /// activator) at the last host that resolved it, which sends one test's jobs to another host and fails with
    /// <see cref="ObjectDisposedException"/> once that host is disposed. This method registers the same services from
    /// the host's own container and leaves the statics alone. The one rule left: application code must take
    /// <see cref="IBackgroundJobClient"/> and <see cref="IRecurringJobManager"/> from dependency injection, not use the
    /// static <c>BackgroundJob</c>, <c>RecurringJob</c> or the static current storage, which no host under test sets.
    /// </remarks>
    /// <param name="builder">The host's web host builder, e.g. in <c>WebApplicationFactory.WithWebHostBuilder</c>.</param>
    /// <param name="standIn">The stand-in that plays Scenario for this host.</param>
    /// <param name="configure">Adjusts the host's Hangfire and task store (<see cref="ScenarioStandInHostOptions"/>); <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    public static IWebHostBuilder UseScenarioStandIn(
        this IWebHostBuilder builder,
        ScenarioStandIn standIn,
        Action<ScenarioStandInHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(standIn);
        var options = new ScenarioStandInHostOptions();
        configure?.Invoke(options);

        var settings = new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = standIn.BaseUrl.ToString(),
            ["Scenario:ApiKey"] = standIn.ApiKey,
        };
        if (!options.UseApplicationTaskStore)
        {
            // Empty, not removed: a later source wins, so this hides a production connection string from appsettings or
            // the environment. With none, the receiver keeps its task records beside the host's own job storage: in this
            // process on Hangfire.InMemory, or in the storage the test gave (ScenarioStandInHostOptions.Storage).
            settings[TaskStoreConnectionStringKey] = string.Empty;

            // And the choice itself, over a Kind of PostgreSql in production settings: InMemory on the stand-in's own
            // Hangfire.InMemory, which also ignores a connection string the application sets in code. On a storage the
            // test gives, Automatic: the generic store, or the in-memory one when that storage is Hangfire.InMemory.
            settings[TaskStoreKindKey] = options.Storage is null ? "InMemory" : "Automatic";
        }

        // Both: a host setting can reach code that reads configuration while Program.cs builds; the app configuration
        // source is added last, so it wins over appsettings and environment variables when the options are bound.
        foreach ((var key, var value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));

        // ConfigureTestServices runs after the application's own registrations, so the removals below see them.
        builder.ConfigureTestServices(services => ReplaceHangfire(services, options));
        return builder;
    }

    private static void ReplaceHangfire(IServiceCollection services, ScenarioStandInHostOptions options)
    {
        var replaced = services
            .Where(descriptor => ReplacedServices.Contains(descriptor.ServiceType) || IsHangfireServer(descriptor))
            .ToArray();
        foreach (var descriptor in replaced)
        {
            services.Remove(descriptor);
        }

        services.AddIsolatedHangfire(options.Storage ?? (_ => new InMemoryStorage()));

        services.AddHangfireServer((provider, server) =>
        {
            // Short intervals keep tests fast: scheduled retries and deletions are noticed within a fraction of a second.
            server.WorkerCount = ScenarioStandInHostOptions.DefaultWorkerCount;
            server.SchedulePollingInterval = TimeSpan.FromMilliseconds(100);
            server.CancellationCheckInterval = TimeSpan.FromMilliseconds(100);
            server.ShutdownTimeout = TimeSpan.FromSeconds(5);
            options.ConfigureServer?.Invoke(server);
        });
    }

    private static bool IsHangfireServer(ServiceDescriptor descriptor)
    {
        if (descriptor.ServiceType != typeof(IHostedService))
        {
            return false;
        }

        // AddHangfireServer registers a factory; its delegate's return type names the server it builds.
        var implementation = descriptor.IsKeyedService
            ? null
            : descriptor.ImplementationType
                ?? descriptor.ImplementationInstance?.GetType()
                ?? descriptor.ImplementationFactory?.Method.ReturnType;
        return implementation is not null
            && (typeof(BackgroundJobServerHostedService).IsAssignableFrom(implementation)
                || implementation.FullName == "Hangfire.BackgroundProcessingServerHostedService");
    }
}
