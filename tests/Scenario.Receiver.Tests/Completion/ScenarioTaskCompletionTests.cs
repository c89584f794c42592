using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Completion;

/// <summary>Finishing a task explicitly, deferral and its deadline, on one instance with the embedded storage.</summary>
public abstract class ScenarioTaskCompletionTests(TaskStoreUnderTest store) : StandInTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Task<ReceiverTestHost> StartAsync(Dictionary<string, string?>? settings = null)
        => ReceiverTestHost.StartAsync(store, Scenario, [typeof(DeferringController)], settings, map: app => app.MapScenarioTaskStatus());

    private static IScenarioTaskCompletion Completion(ReceiverTestHost host) => host.Services.GetRequiredService<IScenarioTaskCompletion>();

    private static async Task<TaskRecord?> RecordAsync(ReceiverTestHost host, string taskInstanceId) => await host.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId);

    private static async Task<string> DeferAsync(ReceiverTestHost host, int milliseconds)
    {
        var call = await host.RestCall.PostAsync($"/deferring/defer/{milliseconds}", null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId))?.DeferredUntil is not null, "the task is deferred");
        return call.TaskInstanceId;
    }

    [Fact]
    public async Task CompleteAsync_DeferredTask_CompletesOnceWithItsOutputs()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 60_000);
        Assert.Empty(Scenario.StatusesFor(taskInstanceId));

        var first = await Completion(host).CompleteAsync(taskInstanceId, new { price = 101.5 }, "Priced by the batch.");
        var second = await Completion(host).CompleteAsync(taskInstanceId, new { price = 99 });

        Assert.True(first.IsDecided);
        Assert.False(second.IsDecided);
        Assert.Equal(ScenarioPriorOutcome.Completed, second.PriorOutcome);
        var status = await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);
        Assert.Equal("Completed", status.Status);
        Assert.Equal("101.5", status.OutputValues["price"]);
        Assert.Equal("200", status.OutputValues["statusCode"]);
        Assert.Equal("Priced by the batch.", status.Message);
        await Await.UntilAsync(async () => (await RecordAsync(host, taskInstanceId))?.IsReported == true, "the task is marked reported");
        Assert.Single(Scenario.StatusesFor(taskInstanceId));
    }

    [Fact]
    public async Task SixConcurrentCallbacks_OneTerminalStatus_OneDecidedFiveRefused()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 60_000);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => i % 2 == 0
            ? Completion(host).CompleteAsync(taskInstanceId, new Dictionary<string, string> { ["caller"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            : Completion(host).FailAsync(taskInstanceId, $"caller {i} failed it"))));

        Assert.Single(results, r => r.IsDecided);
        Assert.Equal(5, results.Count(r => !r.IsDecided));
        var status = await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);
        Assert.All(results.Where(r => !r.IsDecided), r => Assert.Equal(status.Status, r.PriorOutcome.ToString()));
        await Await.UntilAsync(async () => (await RecordAsync(host, taskInstanceId))?.IsReported == true, "the task is marked reported");
        Assert.Single(Scenario.StatusesFor(taskInstanceId));
    }

    [Fact]
    public async Task DeferredTask_WithoutCompletion_ReceivesOneError504AtItsDeadline()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 500);

        var status = await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);

        Assert.Equal("Error", status.Status);
        Assert.Equal("504", status.OutputValues["statusCode"]);
        Assert.StartsWith("The task was not completed within 0.5 s of its deferral", status.Message, StringComparison.Ordinal);
        var late = await Completion(host).CompleteAsync(taskInstanceId, null);
        Assert.False(late.IsDecided);
        Assert.Equal(ScenarioPriorOutcome.Error, late.PriorOutcome);
        Assert.Single(Scenario.StatusesFor(taskInstanceId));
    }

    [Fact]
    public async Task CallbackRacingTheDeadline_GivesOneTerminalStatus()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 300);
        var deadlineJobId = (await RecordAsync(host, taskInstanceId))!.DeadlineJobId!;

        // Called again and again across the deadline: whichever decides first, Scenario hears one outcome.
        var decided = 0;
        while (host.Storage.StateOf(deadlineJobId) is not ("Succeeded" or "Deleted"))
        {
            decided += (await Completion(host).CompleteAsync(taskInstanceId, new { by = "callback" })).IsDecided ? 1 : 0;
            await Task.Yield();
        }

        var status = await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);
        await Await.UntilAsync(async () => (await RecordAsync(host, taskInstanceId))?.IsReported == true, "the task is marked reported");
        Assert.True(decided <= 1);
        Assert.Equal(decided == 1 ? "Completed" : "Error", status.Status);
        Assert.Single(Scenario.StatusesFor(taskInstanceId));
    }

    [Fact]
    public async Task StatusEndpoint_DeferredTask_SaysDeferredAndUntilWhen()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 60_000);
        // The deferral is recorded while the work job still runs; it ends Succeeded a moment later.
        var jobId = (await RecordAsync(host, taskInstanceId))!.JobId!;
        await Await.UntilAsync(() => host.Storage.StateOf(jobId) == "Succeeded", "the deferring work job succeeded");

        var body = JsonDocument.Parse(await host.Client.GetStringAsync($"/scenario/tasks/{taskInstanceId}")).RootElement;

        Assert.True(body.GetProperty("deferred").GetBoolean());
        Assert.Equal((await RecordAsync(host, taskInstanceId))!.DeferredUntil, body.GetProperty("deferredUntil").GetDateTimeOffset());
        Assert.Equal("Succeeded", body.GetProperty("state").GetString());
        Assert.False(body.GetProperty("cancelledByScenario").GetBoolean());
    }

    [Fact]
    public async Task CompleteAsync_TaskNeverAccepted_IsDeliveredOnce()
    {
        await using var host = await StartAsync();
        var taskInstanceId = Guid.NewGuid().ToString();
        Assert.False((await Completion(host).IsKnownAsync(taskInstanceId)));

        var result = await Completion(host).CompleteAsync(taskInstanceId, new Dictionary<string, object> { ["count"] = 256 });
        var again = await Completion(host).FailAsync(taskInstanceId, "too late", 502);

        Assert.True(result.IsDecided);
        Assert.False(again.IsDecided);
        var status = await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);
        Assert.Equal("Completed", status.Status);
        Assert.Equal("256", status.OutputValues["count"]);
        Assert.Equal("Bearer", status.Authorization?.Split(' ')[0], StringComparer.OrdinalIgnoreCase);
        Assert.Single(Scenario.StatusesFor(taskInstanceId));
    }

    [Fact]
    public async Task EveryCall_IdThatIsNotATaskId_AnswersUnknownWithoutAnExceptionAndDecidesNothing()
    {
        await using var host = await StartAsync();
        string[] ids = ["batch-7", "", " ", "00000000-0000-0000-0000-000000000000", "{364e21c2-25bf-497d-9583-3d359e7cbf91}", "364e21c2-25bf-497d-9583-3d359e7cbf91;x"];

        foreach (var id in ids)
        {
            Assert.False(await Completion(host).IsKnownAsync(id));
            var completed = await Completion(host).CompleteAsync(id, new { price = 1 });
            var failed = await Completion(host).FailAsync(id, "failed", 502);
            Assert.False(await Completion(host).ReportProgressAsync(id, 50));

            Assert.All([completed, failed], result =>
            {
                Assert.True(result.IsUnknownTask);
                Assert.False(result.IsDecided);
                Assert.Equal(ScenarioPriorOutcome.None, result.PriorOutcome);
                Assert.Equal(id, result.TaskInstanceId);
            });
        }

        // The empty GUID parses as one: without the check it would be decided, recorded and posted to Scenario.
        Assert.Null(await RecordAsync(host, Guid.Empty.ToString()));
        Assert.Empty(Scenario.Statuses);
    }

    [Fact]
    public async Task CompleteAsync_TaskIdInUpperCase_FindsTheTaskAndAnswersItInLowerCase()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 60_000);

        Assert.True(await Completion(host).IsKnownAsync(taskInstanceId.ToUpperInvariant()));
        var result = await Completion(host).CompleteAsync(taskInstanceId.ToUpperInvariant(), null);

        Assert.True(result.IsDecided);
        Assert.Equal(taskInstanceId, result.TaskInstanceId);
        Assert.Equal("Completed", (await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout)).Status);
    }

    [Fact]
    public async Task CompleteAsync_WhileTheWorkStillRuns_WinsAndTheWorksResultIsDiscarded()
    {
        await using var host = await StartAsync();
        var call = await host.RestCall.PostAsync("/deferring/brief/1500", null);
        await Await.UntilAsync(() => host.Probe.CountFor(call.TaskInstanceId) == 1, "the work runs");

        var result = await Completion(host).CompleteAsync(call.TaskInstanceId, new { by = "callback" });

        Assert.True(result.IsDecided);
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Succeeded", "the work job ends");
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        Assert.Equal("callback", status.OutputValues["by"]);
        Assert.False(status.OutputValues.ContainsKey("done"));
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task ReportProgressAsync_DeferredTask_PostsInProgressUntilTheTaskIsFinished()
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host, 60_000);

        var sent = await Completion(host).ReportProgressAsync(taskInstanceId, 40, "Batch 2 of 5.");
        await Completion(host).FailAsync(taskInstanceId, "Batch rejected.", 422);
        await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);
        await Await.UntilAsync(async () => (await RecordAsync(host, taskInstanceId))?.IsReported == true, "the task is marked reported");
        var late = await Completion(host).ReportProgressAsync(taskInstanceId, 90);

        Assert.True(sent);
        Assert.False(late);
        var statuses = Scenario.StatusesFor(taskInstanceId);
        Assert.Equal(["InProgress", "Error"], statuses.Select(s => s.Status));
        Assert.Equal(40, statuses[0].ProgressPercentage);
        Assert.Equal("Batch 2 of 5.", statuses[0].Message);
        Assert.Equal("422", statuses[1].OutputValues["statusCode"]);
        Assert.Equal("Batch rejected.", statuses[1].Message);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioTaskCompletionTests_InMemoryStore() : ScenarioTaskCompletionTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioTaskCompletionTests_PostgreSqlStore() : ScenarioTaskCompletionTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioTaskCompletionTests_HangfireStore() : ScenarioTaskCompletionTests(TaskStoreUnderTest.Hangfire);
