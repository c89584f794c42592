using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning.MinimalApis;

/// <summary>A test class with a stand-in and a receiver host serving <see cref="TaskWorkEndpoints"/> and no controllers on <paramref name="store"/>, for each test.</summary>
public abstract class HostedMinimalApiTest(TaskStoreUnderTest store) : IAsyncLifetime
{
    protected ScenarioStandIn Scenario { get; private set; } = null!;

    protected ReceiverTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Scenario = await ScenarioStandIn.StartAsync();
        Host = await StartHostAsync(store, Scenario);
    }

    public static Task<ReceiverTestHost> StartHostAsync(
        TaskStoreUnderTest store,
        ScenarioStandIn scenario,
        bool runHangfireServer = true,
        Hangfire.JobStorage? storage = null,
        Dictionary<string, string?>? settings = null,
        Action<Hangfire.BackgroundJobServerOptions>? configureServer = null)
        => ReceiverTestHost.StartAsync(
            store,
            scenario,
            [],
            settings,
            runHangfireServer: runHangfireServer,
            storage: storage,
            configureServer: configureServer,
            configure: builder => builder.Services.AddKeyedSingleton<IPriceSource>("eu", new PriceSource("eu-feed")),
            map: TaskWorkEndpoints.Map);

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Scenario.DisposeAsync();
    }
}
