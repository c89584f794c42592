using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Sample;

/// <summary>The sample's hand-off pattern: a batch submission defers its task, the batch system's callback finishes it.</summary>
public sealed class PricingBatchesTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ScenarioStandIn _scenario = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseScenarioStandIn(_scenario));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    private static async Task<string> SubmitAsync(HttpClient client)
    {
        var call = await new ScenarioRestCall(client).PostAsync("/api/pricing/batches", new { portfolio = "EQ-1", deadlineSeconds = 60 });
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        await Await.UntilAsync(
            async () => (await client.GetStringAsync($"/scenario/tasks/{call.TaskInstanceId}")).Contains("\"deferred\":true", StringComparison.Ordinal),
            "the batch task is deferred");
        return call.TaskInstanceId;
    }

    [Fact]
    public async Task Callback_WithPrice_CompletesTheDeferredTaskOnce_AndASecondCallbackGets409()
    {
        using var client = _app.CreateClient();
        var taskInstanceId = await SubmitAsync(client);
        Assert.Empty(_scenario.StatusesFor(taskInstanceId));

        using var first = await client.PostAsJsonAsync($"/api/pricing/batches/{taskInstanceId}/result", new { price = 101.5 });
        using var second = await client.PostAsJsonAsync($"/api/pricing/batches/{taskInstanceId}/result", new { error = "late" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        var status = await _scenario.WaitForTerminalStatusAsync(taskInstanceId, Patience);
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, status.Status);
        Assert.Equal("101.5", status.OutputValues["price"]);
        Assert.Equal("200", status.OutputValues[ReceivedTaskStatus.StatusCodeOutputKey]);
        Assert.Single(_scenario.StatusesFor(taskInstanceId), s => s.IsTerminal);
    }

    [Fact]
    public async Task Callback_WithError_FailsTheTask()
    {
        using var client = _app.CreateClient();
        var taskInstanceId = await SubmitAsync(client);

        using var response = await client.PostAsJsonAsync($"/api/pricing/batches/{taskInstanceId}/result", new { error = "Batch rejected EQ-1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await _scenario.WaitForTerminalStatusAsync(taskInstanceId, Patience);
        Assert.Equal(ReceivedTaskStatus.ErrorStatus, status.Status);
        Assert.Equal("Batch rejected EQ-1", status.Message);
        Assert.Equal("500", status.OutputValues[ReceivedTaskStatus.StatusCodeOutputKey]);
    }

    [Theory]
    [InlineData("2f0c7d6e-9a41-4b8e-b1f3-5d2a6c9e8f10")]
    [InlineData("batch-7")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task Callback_ForAnUnknownTaskOrAnIdThatIsNotOne_Is404Problem(string taskInstanceId)
    {
        using var client = _app.CreateClient();

        using var response = await client.PostAsJsonAsync($"/api/pricing/batches/{taskInstanceId}/result", new { price = 1 });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_scenario.Statuses);
    }
}
