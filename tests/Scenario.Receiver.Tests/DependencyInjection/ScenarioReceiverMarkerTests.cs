using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scenario.Receiver.Entries.Mvc;

namespace Scenario.Receiver.Tests.DependencyInjection;

/// <summary>
/// Every entry point that needs the receiver's services fails, in a host that never called AddScenarioReceiver, with
/// the one message that says which call is missing and how to write it.
/// </summary>
public sealed class ScenarioReceiverMarkerTests
{
    [Fact]
    public async Task UseScenarioTaskContext_WithoutAddScenarioReceiver_ThrowsNamingTheMissingCall()
    {
        await using var app = BuildWithoutReceiver();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseScenarioTaskContext());

        Assert.Equal(Expected("UseScenarioTaskContext()"), error.Message);
    }

    [Fact]
    public async Task MapScenarioTaskStatus_WithoutAddScenarioReceiver_ThrowsNamingTheMissingCall()
    {
        await using var app = BuildWithoutReceiver();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapScenarioTaskStatus());

        Assert.Equal(Expected("MapScenarioTaskStatus()"), error.Message);
    }

    [Fact]
    public async Task WithScenarioLongRunning_WithoutAddScenarioReceiver_ThrowsWhenTheEndpointIsBuilt()
    {
        await using var app = BuildWithoutReceiver();
        app.MapPost("/quotes", () => "quoted").WithScenarioLongRunning();

        // ASP.NET Core builds an endpoint (and runs its filter factories) when its data source is first read.
        var error = Assert.Throws<InvalidOperationException>(
            () => ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).ToList());

        Assert.Equal(Expected("WithScenarioLongRunning()"), error.Message);
    }

    [Fact]
    public void ScenarioLongRunningFilter_WithoutAddScenarioReceiver_ThrowsNamingTheMissingCall()
    {
        // Reached directly: the application model provider that puts this factory on an action is itself
        // registered by AddScenarioReceiver, so in a host this check guards only a partial registration.
        using var services = new ServiceCollection().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => new LongRunningActionFilterFactory().CreateInstance(services));

        Assert.Equal(Expected("[ScenarioLongRunning]"), error.Message);
    }

    [Fact]
    public async Task AddScenarioHealthCheck_WithoutAddScenarioReceiver_ThrowsNamingTheMissingCall()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddHealthChecks().AddScenario();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync());

        Assert.Equal(Expected("AddScenario()"), error.Message);
    }

    private static WebApplication BuildWithoutReceiver()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        return builder.Build();
    }

    private static string Expected(string entryPoint)
        => entryPoint + " needs the Scenario receiver's services: call builder.Services.AddScenarioReceiver(builder.Configuration.GetSection(\"Scenario\")) at start-up.";
}
