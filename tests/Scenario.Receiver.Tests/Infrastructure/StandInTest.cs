using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>A test class with a Scenario stand-in of its own, started before each test and stopped after it.</summary>
public abstract class StandInTest : IAsyncLifetime
{
    protected ScenarioStandIn Scenario { get; private set; } = null!;

    public async Task InitializeAsync() => Scenario = await ScenarioStandIn.StartAsync();

    public async Task DisposeAsync() => await Scenario.DisposeAsync();
}
