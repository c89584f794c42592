using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning.MinimalApis;

/// <summary>Deadlines, retries, one endpoint per task id, bounded arguments: the promises of "write it as if it ran in the request".</summary>
public abstract class WorkAsIfInItsRequestTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task Deadline_OnWorkThatIgnoresItsToken_ReportsOneError504AtOnceAndNothingAfterTheWorkEnds()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario);
        var started = Stopwatch.StartNew();

        var call = await host.RestCall.PostAsync("/minimal/stubborn", new { });
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var reportedAfter = started.Elapsed;

        Assert.Equal("Error", status.Status);
        Assert.Equal("504", status.OutputValues["statusCode"]);
        Assert.Equal("The work timed out after 2 s and was cancelled.", status.Message);
        // Well before the work could end: it waits for the gate, which opens only now.
        Assert.DoesNotContain(host.Probe.Invocations, i => i.Action == "stubborn-finished");
        Assert.True(reportedAfter < TimeSpan.FromSeconds(15), $"Reported after {reportedAfter}.");

        host.Probe.Gate.SetResult();
        await Await.UntilAsync(() => host.Probe.Invocations.Any(i => i.Action == "stubborn-finished"), "the abandoned work ran to its end");

        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1206 && l.Message.Contains(call.TaskInstanceId, StringComparison.Ordinal));
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Deleted", "the work job ends");
    }

    [Fact]
    public async Task Retry_StartsWhenDue_WithoutWaitingForHangfiresScheduler_AndScenarioHearsOfTheFailedAttempt()
    {
        // A scheduler that would not move a due job for ten minutes: the retry must not depend on it.
        await using var host = await HostedMinimalApiTest.StartHostAsync(
            store,
            Scenario,
            settings: new() { ["Scenario:WorkRetryDelay"] = "00:00:01" },
            configureServer: server => server.SchedulePollingInterval = TimeSpan.FromMinutes(10));

        var call = await host.RestCall.PostAsync("/minimal/retried-once", new { });
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal("2", status.OutputValues["attempts"]);
        var statuses = Scenario.StatusesFor(call.TaskInstanceId);
        var notice = Assert.Single(statuses, s => s.Status == "InProgress");
        Assert.StartsWith("Attempt 1 of 2 failed (TimeoutException: the pricing feed timed out); attempt 2 starts at ", notice.Message, StringComparison.Ordinal);
        Assert.EndsWith(" UTC, in 1 s.", notice.Message, StringComparison.Ordinal);
        Assert.True(statuses[^1].IsTerminal);
    }

    [Fact]
    public async Task SameTaskId_AtAnotherEndpoint_Answers409NamingBothAndEnqueuesNothing_WhileTheSameEndpointStays202()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, map: TaskWorkEndpoints.Map);
        var first = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);

        var again = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, taskInstanceId: first.TaskInstanceId);
        var elsewhere = await host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody, taskInstanceId: first.TaskInstanceId);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(first.JobId, again.JobId);
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
        Assert.StartsWith("application/problem+json", elsewhere.ContentType, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(elsewhere.Body).RootElement;
        Assert.Equal("The task was accepted by another endpoint", problem.GetProperty("title").GetString());
        Assert.Equal("TaskWork.OkResult", problem.GetProperty("acceptedBy").GetString());
        Assert.Equal("POST /minimal/ok", problem.GetProperty("endpoint").GetString());
        Assert.Equal(1, host.Storage.TotalJobs());
    }

    [Theory]
    [InlineData("/tasks/ok")]
    [InlineData("/minimal/ok")]
    public async Task ArgumentsOverTheLimitFromABodyUnderIt_Answers413AndEnqueuesNothing(string path)
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, map: TaskWorkEndpoints.Map);

        // 800 KB of body, under the body limit; each 'é' (2 bytes) is carried escaped (6 bytes): 2.4 MB of arguments.
        // (A body over the limit is refused before it is bound: RequestBodyLimitTests.)
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($"{{\"portfolio\": \"{new string('é', 400 * 1024)}\"}}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("over the 1048576-byte limit (Scenario:MaxArgumentsBytes); nothing was enqueued", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task ProgressMessage_IsCutToMaxMessageLength()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario);

        var call = await host.RestCall.PostAsync("/minimal/long-progress", new { });
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var progress = Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.Status == "InProgress");
        Assert.Equal(4000, progress.Message!.Length);
        Assert.EndsWith("p…", progress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportRetry_AfterATransientFailure_StartsWhenDue_WithoutWaitingForHangfiresScheduler()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(
            store,
            Scenario,
            settings: new() { ["Scenario:Reporting:RetryDelays:0"] = "00:00:01" },
            configureServer: server => server.SchedulePollingInterval = TimeSpan.FromMinutes(10));
        Scenario.FailNext(1, 503);

        var call = await host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(2, Scenario.Requests.Count(r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal) && r.Body.Contains("Completed", StringComparison.Ordinal)));
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class WorkAsIfInItsRequestTests_InMemoryStore() : WorkAsIfInItsRequestTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class WorkAsIfInItsRequestTests_PostgreSqlStore() : WorkAsIfInItsRequestTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class WorkAsIfInItsRequestTests_HangfireStore() : WorkAsIfInItsRequestTests(TaskStoreUnderTest.Hangfire);
