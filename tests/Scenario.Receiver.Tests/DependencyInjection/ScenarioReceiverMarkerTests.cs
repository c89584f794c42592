using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Entries.Mvc;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

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
    public async Task WithScenarioLongRunning_OnAGroupWithoutAddScenarioReceiver_ThrowsAtTheCall()
    {
        await using var app = BuildWithoutReceiver();
        var group = app.MapGroup("/quotes");

        var error = Assert.Throws<InvalidOperationException>(() => group.WithScenarioLongRunning());

        Assert.Equal(Expected("WithScenarioLongRunning()"), error.Message);
    }

    [Fact]
    public async Task WithScenarioLongRunning_OnAnEndpointWithoutAddScenarioReceiver_Answers500ProblemNamingTheFixWithoutRunningTheHandler()
    {
        var logs = new CapturedLogs();
        await using var app = BuildWithoutReceiver(logs);
        var handlerRuns = 0;
        app.MapPost("/quotes", () =>
        {
            Interlocked.Increment(ref handlerRuns);
            return "quoted";
        }).WithScenarioLongRunning();
        app.MapGet("/other", () => "served");
        await app.StartAsync();
        using var client = app.GetTestClient();

        var answer = await new ScenarioRestCall(client).PostAsync("/quotes", new { Portfolio = "P-1" });

        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.ContentType);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.Equal("The Scenario receiver is not registered in this service", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(Expected("WithScenarioLongRunning()"), problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(0, handlerRuns);
        var line = Assert.Single(logs.Lines, l => l.EventId == 1109);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Equal("A call to the long-running endpoint HTTP: POST /quotes was answered 500 and its handler did not run: " + Expected("WithScenarioLongRunning()"), line.Message);

        // The host's other endpoints are not affected.
        Assert.Equal("served", await client.GetStringAsync("/other"));
    }

    [Fact]
    public async Task ScenarioLongRunningAction_WithoutAddScenarioReceiver_MapControllersThrowsNamingTheMissingCall()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllersFeatureProvider([typeof(UnregisteredReceiverController)])));
        await using var app = builder.Build();

        // MVC builds its application model, and applies the attribute as a convention, in MapControllers: at start-up.
        var error = Assert.Throws<InvalidOperationException>(() => app.MapControllers());

        Assert.Equal(Expected("[ScenarioLongRunning] on the action UnregisteredReceiverController.Run"), error.Message);
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

    private static WebApplication BuildWithoutReceiver(CapturedLogs? logs = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        if (logs is not null)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        }

        return builder.Build();
    }

    private static string Expected(string entryPoint)
        => entryPoint + " needs the Scenario receiver's services: call builder.Services.AddScenarioReceiver(builder.Configuration.GetSection(\"Scenario\")) at start-up.";
}
