using System.Net;
using System.Net.Http.Json;                  // PostAsJsonAsync
using Microsoft.AspNetCore.Hosting;          // UseScenarioStandIn
using Microsoft.AspNetCore.Mvc.Testing;      // WebApplicationFactory<Program>
using Scenario.Receiver.Testing;             // ScenarioStandIn, ScenarioRestCall
using Xunit;

namespace PricingService.Tests;

public sealed class PricingTests : IAsyncLifetime
{
    private ScenarioStandIn _scenario = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _app = new WebApplicationFactory<Program>()
            .WithWebHostBuilder(web => web
                .UseSetting("Scenario:WorkRetryDelay", "00:00:00")
                .UseScenarioStandIn(_scenario));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task Run_MvcAction_ScenarioReceivesCompletedWithThePrice()
    {
        RestCallResponse call = await new ScenarioRestCall(_app.CreateClient())
            .PostAsync("/api/pricing/runs", new { Portfolio = "P-7", Paths = 1000 });
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);

        ReceivedTaskStatus done = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, TimeSpan.FromSeconds(30));
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, done.Status);
        Assert.Equal("200", done.OutputStatusCode);
        Assert.Equal("101.5", done.OutputValues["price"]);
        Assert.Equal("P-7", done.OutputValues["portfolio"]);
    }

    [Fact]
    public async Task Run_NoPaths_ScenarioReceivesErrorAfterTheRetries()
    {
        RestCallResponse call = await new ScenarioRestCall(_app.CreateClient())
            .PostAsync("/api/pricing/runs", new { Portfolio = "P-8", Paths = 0 });

        ReceivedTaskStatus done = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, TimeSpan.FromSeconds(30));
        Assert.Equal(ReceivedTaskStatus.ErrorStatus, done.Status);
        Assert.Equal("500", done.OutputStatusCode);
        Assert.Equal(2, _scenario.StatusesFor(call.TaskInstanceId).Count(s => s.Status == ReceivedTaskStatus.InProgressStatus));
    }

    [Fact]
    public async Task Quote_MinimalApi_ScenarioReceivesCompleted()
    {
        RestCallResponse call = await new ScenarioRestCall(_app.CreateClient())
            .PostAsync("/api/pricing/quotes", new { Instrument = "EURUSD", Notional = 1000000 });
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);

        ReceivedTaskStatus done = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, TimeSpan.FromSeconds(30));
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, done.Status);
        Assert.Equal("10000.00", done.OutputValues["price"]);
    }

    [Fact]
    public async Task Batch_Deferred_CompletedByTheCallbackOnce()
    {
        HttpClient client = _app.CreateClient();
        RestCallResponse call = await new ScenarioRestCall(client).PostAsync("/api/pricing/batches", new { Portfolio = "P-9" });

        ReceiverTaskView deferred = await new TaskStatusEndpointClient(client)
            .WaitForDeferralAsync(call.TaskInstanceId, TimeSpan.FromSeconds(30));
        Assert.NotNull(deferred.DeferredUntil);
        Assert.Empty(_scenario.StatusesFor(call.TaskInstanceId));

        var first = await client.PostAsJsonAsync($"/api/pricing/batches/{call.TaskInstanceId}/result", new { Price = 99.5 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        ReceivedTaskStatus done = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, TimeSpan.FromSeconds(30));
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, done.Status);
        Assert.Equal("99.5", done.OutputValues["price"]);

        var second = await client.PostAsJsonAsync($"/api/pricing/batches/{call.TaskInstanceId}/result", new { Price = 98 });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("\"priorOutcome\":\"Completed\"", await second.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("6f1c1f8e-0d6b-4d8e-9a55-2b1f7c1e9d00")]
    public async Task BatchCallback_UnknownTask_404AndNothingSent(string id)
    {
        HttpClient client = _app.CreateClient();

        var answer = await client.PostAsJsonAsync($"/api/pricing/batches/{id}/result", new { Price = 1 });

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_scenario.Statuses);
    }
}
