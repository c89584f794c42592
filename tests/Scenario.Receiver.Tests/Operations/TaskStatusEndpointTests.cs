using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Operations;

/// <summary><c>GET /scenario/tasks/{taskInstanceId}</c> for a task in each state it can be in.</summary>
public abstract class TaskStatusEndpointTests(TaskStoreUnderTest store) : StandInTest
{
    private Task<ReceiverTestHost> StartHostAsync(bool runHangfireServer = true, string? prefix = null)
        => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(TaskWorkController)],
            runHangfireServer: runHangfireServer,
            map: app =>
            {
                if (prefix is null)
                {
                    app.MapScenarioTaskStatus();
                }
                else
                {
                    app.MapScenarioTaskStatus(prefix);
                }
            });

    private static async Task<(HttpStatusCode Status, string? ContentType, JsonElement Body)> GetAsync(ReceiverTestHost host, string path)
    {
        using var response = await host.Client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>
    /// Waits, in storage rather than through the endpoint, until the report is recorded and the work job has
    /// left Processing. The work job reports before it ends, so the report is recorded while the job still
    /// reads Processing.
    /// </summary>
    private static async Task AwaitReportedAndSettledAsync(ReceiverTestHost host, string jobId, string taskInstanceId)
    {
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(
            async () => (await records.FindAsync(taskInstanceId))?.ReportedAt is not null && host.Storage.StateOf(jobId) is not ("Enqueued" or "Processing"),
            "the task is recorded as reported and its work job has ended");
    }

    [Fact]
    public async Task QueuedTask_AnswersEnqueuedWithItsIdsAndNoReport()
    {
        // No Hangfire server: the work job stays where the filter put it.
        await using var host = await StartHostAsync(runHangfireServer: false);
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, workflowInstanceId: "wf-queued");

        var (status, contentType, body) = await GetAsync(host, $"/scenario/tasks/{call.TaskInstanceId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(call.TaskInstanceId, body.GetProperty("taskInstanceId").GetString());
        Assert.Equal("wf-queued", body.GetProperty("workflowInstanceId").GetString());
        Assert.Equal("TaskWork.OkResult", body.GetProperty("endpoint").GetString());
        Assert.True(body.GetProperty("acceptedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(call.JobId, body.GetProperty("jobId").GetString());
        Assert.Equal("Enqueued", body.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("reportedStatus").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("reportedAt").ValueKind);
    }

    [Fact]
    public async Task RunningTask_AnswersProcessing()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync("/tasks/blocked", null);
        await Await.UntilAsync(() => host.Probe.CountFor(call.TaskInstanceId) == 1, "the blocked action runs");

        var (status, _, body) = await GetAsync(host, $"/scenario/tasks/{call.TaskInstanceId}");
        host.Probe.Gate.SetResult();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Processing", body.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("reportedStatus").ValueKind);
    }

    [Fact]
    public async Task CompletedTask_AnswersSucceededWithTheReportedStatusAndWhen()
    {
        await using var host = await StartHostAsync();
        var before = DateTimeOffset.UtcNow;
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await AwaitReportedAndSettledAsync(host, call.JobId!, call.TaskInstanceId);

        var (status, _, body) = await GetAsync(host, $"/scenario/tasks/{call.TaskInstanceId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Succeeded", body.GetProperty("state").GetString());
        Assert.Equal("Completed", body.GetProperty("reportedStatus").GetString());
        Assert.InRange(body.GetProperty("reportedAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task FailedTask_AnswersDeletedWithReportedError()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync("/tasks/throw", TestData.ValidBody);
        await AwaitReportedAndSettledAsync(host, call.JobId!, call.TaskInstanceId);

        var (_, _, body) = await GetAsync(host, $"/scenario/tasks/{call.TaskInstanceId}");

        // Deleted, not Failed: the task is over and reported; a requeue would only run the work again.
        Assert.Equal("Deleted", body.GetProperty("state").GetString());
        Assert.Equal("Error", body.GetProperty("reportedStatus").GetString());
    }

    [Fact]
    public async Task UnknownTask_Answers404Problem()
    {
        await using var host = await StartHostAsync(runHangfireServer: false);
        var taskId = TestData.NewTaskId();

        var (status, contentType, body) = await GetAsync(host, $"/scenario/tasks/{taskId}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("Unknown task", body.GetProperty("title").GetString());
        Assert.Equal($"No Scenario task {taskId} was accepted here (or its record has expired).", body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("364e21c225bf497d95833d359e7cbf91")]
    [InlineData("{364e21c2-25bf-497d-9583-3d359e7cbf91}")]
    public async Task MalformedId_Answers400Problem(string taskId)
    {
        await using var host = await StartHostAsync(runHangfireServer: false);

        var (status, contentType, body) = await GetAsync(host, $"/scenario/tasks/{Uri.EscapeDataString(taskId)}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("Invalid task instance id", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task IdInUpperCase_FindsTheSameTask()
    {
        await using var host = await StartHostAsync(runHangfireServer: false);
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);

        var (status, _, body) = await GetAsync(host, $"/scenario/tasks/{call.TaskInstanceId.ToUpperInvariant()}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(call.JobId, body.GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task CustomPrefix_ServesThereAndNotAtTheDefault()
    {
        await using var host = await StartHostAsync(runHangfireServer: false, prefix: "/ops/scenario-tasks/");
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);

        var (status, _, body) = await GetAsync(host, $"/ops/scenario-tasks/{call.TaskInstanceId}");
        using var atDefault = await host.Client.GetAsync(new Uri($"/scenario/tasks/{call.TaskInstanceId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(call.JobId, body.GetProperty("jobId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, atDefault.StatusCode);
    }

    [Fact]
    public async Task Get_WhileTheStorageIsDown_Answers503ProblemWithRetryAfter()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], runHangfireServer: false, storage: new UnreachableStorage(),
            map: app => app.MapScenarioTaskStatus());

        using var response = await host.Client.GetAsync(new Uri($"/scenario/tasks/{Guid.NewGuid()}", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("The task status cannot be read now", body.GetProperty("title").GetString());
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1501);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskStatusEndpointTests_InMemoryStore() : TaskStatusEndpointTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskStatusEndpointTests_PostgreSqlStore() : TaskStatusEndpointTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskStatusEndpointTests_HangfireStore() : TaskStatusEndpointTests(TaskStoreUnderTest.Hangfire);
