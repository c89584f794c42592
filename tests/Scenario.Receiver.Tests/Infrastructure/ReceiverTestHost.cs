using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// A receiving system as a user builds it: ASP.NET Core with controllers, the Scenario receiver, and a
/// real Hangfire server, on its own Hangfire storage and job activator (no JobStorage.Current), talking
/// to a Testing stand-in as its Scenario.
/// </summary>
public sealed class ReceiverTestHost : IAsyncDisposable
{
    public const string WorkerToken = "worker-token-7f3c9d2e";

    private ReceiverTestHost(WebApplication app, ScenarioStandIn scenario, CapturedLogs logs, JobStorage storage, HttpClient client)
    {
        App = app;
        Scenario = scenario;
        Logs = logs;
        Storage = storage;
        Client = client;
        RestCall = new ScenarioRestCall(client);
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public ScenarioStandIn Scenario { get; }

    public CapturedLogs Logs { get; }

    public JobStorage Storage { get; }

    public HttpClient Client { get; }

    public ScenarioRestCall RestCall { get; }

    public WorkProbe Probe => Services.GetRequiredService<WorkProbe>();

    /// <param name="store">The task store it keeps its tasks in: a guarantee test's own, or <see cref="TaskStoreUnderTest.AsConfigured"/>.</param>
    public static async Task<ReceiverTestHost> StartAsync(
        TaskStoreUnderTest store,
        ScenarioStandIn scenario,
        Type[] controllers,
        Dictionary<string, string?>? settings = null,
        bool runHangfireServer = true,
        bool useMiddleware = true,
        JobStorage? storage = null,
        bool useKestrel = false,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null,
        Action<BackgroundJobServerOptions>? configureServer = null,
        Func<IJobFilterProvider, IJobFilterProvider>? jobFilters = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        if (useKestrel)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        var configuration = new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = scenario.BaseUrl.ToString(),
            ["Scenario:ApiKey"] = scenario.ApiKey,
            ["Scenario:WorkRetryDelay"] = "00:00:00",
            ["Scenario:Reporting:RetryDelays:0"] = "00:00:00",
            ["Scenario:Reporting:RequestTimeout"] = "00:00:05",

            // Hourly: tests that count a host's jobs must not meet a sweep job; the sweeper's tests set their own.
            ["Scenario:SweepInterval"] = "01:00:00",
        };
        storage ??= new InMemoryStorage();
        foreach (var (key, value) in await store.SettingsForAsync(storage))
        {
            configuration[key] = value;
        }

        // A null value takes the key out, the host's own included (a setting a test needs unset).
        foreach (var (key, value) in settings ?? [])
        {
            if (value is null)
            {
                configuration.Remove(key);
            }
            else
            {
                configuration[key] = value;
            }
        }

        builder.Configuration.AddInMemoryCollection(configuration);

        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);

        // Hangfire per host, without its static configuration (the Testing package's AddIsolatedHangfire).
        builder.Services.AddIsolatedHangfire(storage);
        builder.Services.AddSingleton(TaskStoreUnderTest.InMemoryTableFor(storage));
        if (runHangfireServer)
        {
            builder.Services.AddHangfireServer(options =>
            {
                // Short intervals keep the tests fast: retries and deletions are noticed within a fraction of a second.
                options.SchedulePollingInterval = TimeSpan.FromMilliseconds(100);
                options.CancellationCheckInterval = TimeSpan.FromMilliseconds(100);
                options.WorkerCount = 4;
                options.ShutdownTimeout = TimeSpan.FromSeconds(5);
                configureServer?.Invoke(options);
            });
        }

        if (jobFilters is not null)
        {
            // Before AddScenarioReceiver, which wraps the filter provider registered before it: a fault a test places in the job pipeline.
            builder.Services.AddSingleton(jobFilters(JobFilterProviders.Providers));
        }

        builder.Services.AddSingleton<WorkProbe>();
        store.AddTo(builder.Services, configuration);
        builder.Services.AddScenarioReceiver(builder.Configuration.GetSection("Scenario")).UsePostgreSqlTaskStore();
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllersFeatureProvider(controllers)));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            // Async, so the flag is confined to this request's flow.
            WorkProbe.InRequestFlow.Value = true;
            await next(context);
        });
        if (useMiddleware)
        {
            app.UseScenarioTaskContext();
        }

        app.MapControllers();
        map?.Invoke(app);
        await app.StartAsync();

        HttpClient client;
        if (useKestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            client = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            client = app.GetTestClient();
        }

        return new ReceiverTestHost(app, scenario, logs, storage, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
