using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Testing;

/// <summary>
/// UseScenarioStandIn as TESTING.md shows it: the sample app under WebApplicationFactory&lt;Program&gt;, one stand-in per
/// test class. The six classes below run in parallel (xunit's default: one collection per class); each asserts that
/// its own stand-in received exactly its own task's statuses, so a status that crossed to another host fails a class.
/// </summary>
public abstract class UseScenarioStandInTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string? _hangfireConnectionString;
    private ScenarioStandIn _scenario = null!;
    private WebApplicationFactory<Program> _app = null!;

    protected UseScenarioStandInTests(string? hangfireConnectionString = null)
    {
        _hangfireConnectionString = hangfireConnectionString;
    }

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            if (_hangfireConnectionString is not null)
            {
                // The sample's PostgreSQL storage: UseScenarioStandIn must replace it, so it is never connected to.
                web.UseSetting("ConnectionStrings:Hangfire", _hangfireConnectionString);
            }

            web.UseScenarioStandIn(_scenario);
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task PricingRun_ParallelHosts_OwnStandInReceivesExactlyItsOwnTerminalStatus()
    {
        using var client = _app.CreateClient();

        var call = await new ScenarioRestCall(client).PostAsync(
            "/api/pricing/runs",
            new { Portfolio = "EQ-" + GetType().Name, DurationMs = 300, Fail = false });

        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        var done = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Patience);
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, done.Status);
        Assert.Equal("200", done.OutputValues[ReceivedTaskStatus.StatusCodeOutputKey]);
        Assert.Equal("EQ-" + GetType().Name, done.OutputValues["portfolio"]);
        Assert.All(_scenario.Statuses, status => Assert.Equal(call.TaskInstanceId, status.TaskInstanceId));
        Assert.Single(_scenario.Statuses, status => status.IsTerminal);
    }
}

public sealed class UseScenarioStandInTests1 : UseScenarioStandInTests;

public sealed class UseScenarioStandInTests2 : UseScenarioStandInTests;

public sealed class UseScenarioStandInTests3 : UseScenarioStandInTests;

public sealed class UseScenarioStandInTests4 : UseScenarioStandInTests;

public sealed class UseScenarioStandInTests5 : UseScenarioStandInTests;

/// <summary>The app configured for PostgreSQL (an address nothing listens on): the test host still runs on InMemory.</summary>
public sealed class UseScenarioStandInTestsWithPostgreSqlConfigured()
    : UseScenarioStandInTests("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1");
