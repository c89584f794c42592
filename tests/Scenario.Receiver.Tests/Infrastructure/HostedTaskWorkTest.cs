using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>A test class with a stand-in and a receiver host running the task controllers on <paramref name="store"/>, for each test.</summary>
public abstract class HostedTaskWorkTest(TaskStoreUnderTest store) : IAsyncLifetime
{
    protected ScenarioStandIn Scenario { get; private set; } = null!;

    protected ReceiverTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Scenario = await ScenarioStandIn.StartAsync();
        Host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Scenario.DisposeAsync();
    }
}
