using Hangfire;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// One variant's server: its own WebApplication on Kestrel (127.0.0.1, a free port), its own Hangfire
/// storage (a fresh InMemory one unless the caller gives one, e.g. a fresh PostgreSQL schema), and a Hangfire server only when the run needs the jobs to run. Everything else is
/// the same for all three: no log providers, default Kestrel and MVC settings, one controller at POST /work.
/// </summary>
internal sealed class VariantHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private VariantHost(Variant variant, WebApplication app, Uri workUrl, JobStorage? storage)
    {
        Variant = variant;
        _app = app;
        WorkUrl = workUrl;
        Storage = storage;
    }

    public Variant Variant { get; }

    public Uri WorkUrl { get; }

    public JobStorage? Storage { get; }

    /// <param name="variant">Which server.</param>
    /// <param name="runJobs">Whether a Hangfire server runs the jobs; without one, accepted tasks stay pending.</param>
    /// <param name="scenario">The stand-in's base URL (reports go there) and the token it accepts.</param>
    /// <param name="apiKey">The token the stand-in accepts.</param>
    /// <param name="workerCount">Hangfire workers, the same for (b) and (c).</param>
    /// <param name="jobStorage">(b) and (c)'s storage, new and empty; null for a fresh InMemory one. (a) has none.</param>
    /// <param name="taskStore">(c)'s PostgreSQL task store; null for the one the receiver chooses for <paramref name="jobStorage"/>.</param>
    /// <param name="genericTaskStore">(c) keeps its tasks in Hangfire's hashes whatever the storage (<c>--task-store hangfire</c>).</param>
    public static async Task<VariantHost> StartAsync(
        Variant variant, bool runJobs, Uri scenario, string apiKey, int workerCount, JobStorage? jobStorage = null, ScenarioTaskStoreOptions? taskStore = null, bool genericTaskStore = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var controller = variant switch
        {
            Variant.Bare => typeof(BareController),
            Variant.HandWritten => typeof(HandWrittenController),
            _ => typeof(LibraryController),
        };
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllerFeatureProvider(controller)));

        JobStorage? storage = null;
        if (variant != Variant.Bare)
        {
            storage = jobStorage ?? new InMemoryStorage();
            IsolatedHangfire.Add(builder.Services, storage);
            if (runJobs)
            {
                builder.Services.AddHangfireServer(options =>
                {
                    options.WorkerCount = workerCount;
                    options.ShutdownTimeout = TimeSpan.FromSeconds(5);
                });
            }
        }

        if (variant == Variant.HandWritten)
        {
            var taskStatusesUrl = new Uri(scenario, "taskstatus/api/task-statuses");
            builder.Services.AddSingleton(new HandWrittenScenarioSettings(taskStatusesUrl));
            builder.Services.AddHttpClient<HandWrittenJob>(client =>
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + apiKey));
        }

        if (variant == Variant.Library)
        {
            if (genericTaskStore)
            {
                // Registered first, so the receiver's own choice (the in-memory store on InMemory) steps aside.
                builder.Services.AddSingleton<ITaskStore>(provider => ActivatorUtilities.CreateInstance<HangfireTaskStore>(provider));
            }

            builder.Services.AddScenarioReceiver(options =>
            {
                options.BaseUrl = scenario;
                options.ApiKey = apiKey;
                options.TaskStore = taskStore ?? new ScenarioTaskStoreOptions();

                // The PostgreSQL storage settings (the sample's) break a lock after a minute; with the tasks in Hangfire's
                // storage (--task-store hangfire) the report lock must outlast RequestTimeout + 30 s, or the host does not
                // start. The stand-in answers in milliseconds, so this changes nothing measured.
                options.Reporting.RequestTimeout = TimeSpan.FromSeconds(30);
            }).UsePostgreSqlTaskStore();
        }

        var app = builder.Build();
        if (variant == Variant.Library)
        {
            app.UseScenarioTaskContext();
        }

        app.MapControllers();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new VariantHost(variant, app, new Uri(address.TrimEnd('/') + "/work"), storage);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
