using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning;

public abstract class LongRunningActionFilterTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task RestCall_ToLongRunningAction_Answers202WithTheJobAndRunsNothingInTheRequest()
    {
        // No Hangfire server: whatever ran, ran in the request.
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);

        var response = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var body = JsonDocument.Parse(response.Body).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(response.TaskInstanceId, body.GetProperty("taskInstanceId").GetString());
        Assert.False(string.IsNullOrEmpty(response.JobId));
        Assert.Empty(host.Probe.Invocations);
        Assert.Equal("Enqueued", host.Storage.StateOf(response.JobId!));
    }

    [Fact]
    public async Task RestCall_WithInvalidBody_Answers400AndEnqueuesNothing()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);

        var response = await host.RestCall.PostAsync("/tasks/ok", new { quantity = 5000 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Contains("Portfolio", response.Body, StringComparison.Ordinal);
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task RestCall_WithBodyThatIsNotJson_Answers400AndEnqueuesNothing()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tasks/ok")
        {
            Content = new StringContent("{\"portfolio\": ", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task PlainController_WithInvalidBody_Answers400FromTheFilterAndEnqueuesNothing()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(PlainController)], runHangfireServer: false);

        var response = await host.RestCall.PostAsync("/plain", new { quantity = 5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal(0, host.Storage.TotalJobs());
        Assert.Empty(host.Probe.Invocations);
    }

    [Fact]
    public async Task Call_WithoutTaskInstanceId_Answers400ProblemAndEnqueuesNothing()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);

        using var response = await host.Client.PostAsJsonAsync("/tasks/ok", TestData.ValidBody);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Missing X-Scenario-TaskInstanceId header", problem.GetProperty("title").GetString());
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task Call_WithoutTaskInstanceId_WhenRunInlineIsOn_RunsTheActionInTheRequest()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], new() { ["Scenario:RunInlineWithoutTaskInstanceId"] = "true" }, runHangfireServer: false);

        using var response = await host.Client.PostAsJsonAsync("/tasks/ok", TestData.ValidBody);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("EQ-1", body.GetProperty("portfolio").GetString());
        Assert.True(Assert.Single(host.Probe.Invocations).InRequest);
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task RestCall_WithoutTheMiddleware_StillCapturesTheTask()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], useMiddleware: false);

        var response = await host.RestCall.PostAsync("/tasks/context", null, workflowInstanceId: "wf-7");
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(response.TaskInstanceId, status.OutputValues["task"]);
        Assert.Equal("wf-7", status.OutputValues["workflow"]);
    }

    [Fact]
    public async Task Host_WithActionTakingAFile_FailsAtStartNamingTheActionAndParameter()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ReceiverTestHost.StartAsync(store, Scenario, [typeof(FileUploadController)]));

        Assert.StartsWith(
            "The [ScenarioLongRunning] action FileUpload.Upload (Scenario.Receiver.Tests.Controllers.FileUploadController.Upload) has a parameter 'document' of type IFormFile that cannot be carried to a background job",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestCall_WhenTheJobStorageIsDown_Answers503ProblemWithRetryAfter()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], runHangfireServer: false, storage: new UnreachableStorage());

        var response = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var problem = JsonDocument.Parse(response.Body).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("The task could not be accepted now", problem.GetProperty("title").GetString());
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1104 && l.Exception!.Contains(store.StorageDownError, StringComparison.Ordinal));
        Assert.Empty(host.Probe.Invocations);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class LongRunningActionFilterTests_InMemoryStore() : LongRunningActionFilterTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class LongRunningActionFilterTests_PostgreSqlStore() : LongRunningActionFilterTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class LongRunningActionFilterTests_HangfireStore() : LongRunningActionFilterTests(TaskStoreUnderTest.Hangfire);
