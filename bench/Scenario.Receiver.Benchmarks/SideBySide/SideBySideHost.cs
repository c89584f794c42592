using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.SideBySide;

/// <summary>
/// One host with all three entries (<see cref="SideBySideEntry"/>) on one Hangfire storage and, for the library's two,
/// the task store the receiver chooses for it (in memory on InMemory, the task table on PostgreSQL). The hand-written
/// jobs and the library's run on the same Hangfire server, with the same workers: the only difference between the
/// entries is the code behind the route.
/// </summary>
internal sealed class SideBySideHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Uri _baseUrl;

    private SideBySideHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        _baseUrl = baseUrl;
    }

    public IServiceProvider Services => _app.Services;

    public Uri UrlOf(SideBySideEntry entry) => new(_baseUrl, entry.Path());

    /// <summary>The in-process server when the host was started with <c>inProcess</c> (the micro benchmarks: no sockets, no client).</summary>
    public TestServer? InProcessServer => _app.Services.GetRequiredService<IServer>() as TestServer;

    public static async Task<SideBySideHost> StartAsync(bool runJobs, Uri scenario, string apiKey, int workerCount, JobStorage storage, ScenarioTaskStoreOptions? taskStore, bool inProcess = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        if (inProcess)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.Logging.ClearProviders();
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllerFeatureProvider(typeof(HandWrittenController), typeof(SideBySideLibraryController))));

        IsolatedHangfire.Add(builder.Services, storage);
        if (runJobs)
        {
            builder.Services.AddHangfireServer(options =>
            {
                options.WorkerCount = workerCount;
                options.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
        }

        builder.Services.AddSingleton(new HandWrittenScenarioSettings(new Uri(scenario, "taskstatus/api/task-statuses")));
        builder.Services.AddHttpClient<HandWrittenJob>(client => client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + apiKey));
        builder.Services.AddScenarioReceiver(options =>
        {
            options.BaseUrl = scenario;
            options.ApiKey = apiKey;
            options.TaskStore = taskStore ?? new ScenarioTaskStoreOptions();
        }).UsePostgreSqlTaskStore();

        var app = builder.Build();
        app.UseScenarioTaskContext();
        app.MapControllers();
        app.MapPost("/" + SideBySideEntry.MinimalApi.Path(), (WorkRequest request) => TypedResults.Ok(PricingWork.Run(request))).WithScenarioLongRunning();
        await app.StartAsync();

        var address = inProcess ? "http://localhost/" : app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SideBySideHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
