using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Testing;

/// <summary>
/// What a user's test awaits beside the statuses, as TESTING.md shows it: a deferral, which Scenario never hears of
/// (TaskStatusEndpointClient), and the receiver's cancellation polls (ScenarioStandIn.WaitForCancellationQueryAsync).
/// The sample app under WebApplicationFactory&lt;Program&gt;, its batch endpoint deferring each task. Reaches the
/// store only through the app, so it runs once, on the in-memory store UseScenarioStandIn gives.
/// </summary>
public sealed class DeferralAndCancellationWaitTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ScenarioStandIn _scenario = null!;
    private WebApplicationFactory<Program> _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            // A poll every 200 ms, so the test sees one soon after the deferral.
            web.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Scenario:Cancellation:PollInterval"] = "00:00:00.200",
            }));
            web.UseScenarioStandIn(_scenario);
        });
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task DeferredTask_WaitForDeferralThenCancellationQueryThenCancelTask_EachAwaitedWithoutAStatusToScenario()
    {
        var call = await new ScenarioRestCall(_client).PostAsync("/api/pricing/batches", new { Portfolio = "EQ-4", DeadlineSeconds = 60 });
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        var receiver = new TaskStatusEndpointClient(_client);

        var deferred = await receiver.WaitForDeferralAsync(call.TaskInstanceId, Patience);
        var poll = await _scenario.WaitForCancellationQueryAsync(call.TaskInstanceId, Patience);
        _scenario.CancelTask(call.TaskInstanceId);
        var cancelled = await receiver.WaitUntilAsync(call.TaskInstanceId, view => view.IsCancelledByScenario, Patience);

        Assert.True(deferred.IsDeferred);
        Assert.Equal(call.TaskInstanceId, deferred.TaskInstanceId);
        Assert.Equal(call.WorkflowInstanceId, deferred.WorkflowInstanceId);
        Assert.Equal(call.JobId, deferred.JobId);
        Assert.Equal("PricingBatch", deferred.Endpoint);
        Assert.NotNull(deferred.DeferredUntil);
        Assert.InRange(deferred.DeferredUntil.Value - deferred.AcceptedAt!.Value, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));
        Assert.Null(deferred.ReportedStatus);
        Assert.Equal(call.TaskInstanceId, poll.TaskInstanceId);
        Assert.Equal(200, poll.AnsweredStatusCode);
        Assert.False(poll.IsCancelled);
        Assert.NotNull(cancelled.CancelledByScenarioAt);
        Assert.Empty(_scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task WaitForDeferral_TaskThatCompletesInstead_TimesOutWithTheLastAnswer()
    {
        var call = await new ScenarioRestCall(_client).PostAsync("/api/pricing/runs", new { Portfolio = "EQ-1", DurationMs = 10, Fail = false });
        await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Patience);
        var receiver = new TaskStatusEndpointClient(_client);
        await receiver.WaitUntilAsync(call.TaskInstanceId, view => view.ReportedStatus is not null, Patience);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(
            () => receiver.WaitForDeferralAsync(call.TaskInstanceId, TimeSpan.FromMilliseconds(200)));

        Assert.Contains("\"reportedStatus\":\"Completed\"", timeout.Message, StringComparison.Ordinal);
        Assert.Contains(call.TaskInstanceId, timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_TaskNeverAccepted_ReturnsNull()
    {
        var view = await new TaskStatusEndpointClient(_client).GetAsync(Guid.NewGuid().ToString());

        Assert.Null(view);
    }

    [Fact]
    public async Task GetAsync_IdThatIsNotAGuid_ThrowsWithTheEndpointsAnswer()
    {
        var refused = await Assert.ThrowsAsync<HttpRequestException>(
            () => new TaskStatusEndpointClient(_client).GetAsync("not-a-guid"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task WaitForCancellationQuery_NoPoll_TimesOutNamingTheTask()
    {
        var taskInstanceId = Guid.NewGuid().ToString();

        var timeout = await Assert.ThrowsAsync<TimeoutException>(
            () => _scenario.WaitForCancellationQueryAsync(taskInstanceId, TimeSpan.FromMilliseconds(100)));

        Assert.Contains(taskInstanceId, timeout.Message, StringComparison.Ordinal);
    }
}
