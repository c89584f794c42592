using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Completion;

/// <summary>Scenario's cancellation query, asked while work runs and while a task is deferred.</summary>
public abstract class CancellationByScenarioTests(TaskStoreUnderTest store) : StandInTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private Task<ReceiverTestHost> StartAsync(string pollInterval = "00:00:00.200")
        => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(DeferringController)],
            new() { ["Scenario:Cancellation:PollInterval"] = pollInterval, ["Scenario:Cancellation:Namespace"] = "x4b.rest" },
            map: app => app.MapScenarioTaskStatus());

    private static async Task<TaskRecord?> RecordAsync(ReceiverTestHost host, string taskInstanceId) => await host.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId);

    [Fact]
    public async Task CancelledByScenario_StopsRunningWorkWithinAPollInterval_AndNothingIsPosted()
    {
        await using var host = await StartAsync();
        var call = await host.RestCall.PostAsync("/deferring/until-cancelled", null);
        await Scenario.WaitForCancellationQueriesAsync(q => q.Any(x => x.TaskInstanceId == call.TaskInstanceId), Timeout);

        var cancelled = Stopwatch.StartNew();
        Scenario.CancelTask(call.TaskInstanceId);
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Deleted", "the work job is Deleted");

        // One interval for the next question, plus a margin for a busy two-core machine.
        Assert.True(cancelled.Elapsed < PollInterval + TimeSpan.FromSeconds(5), $"stopped after {cancelled.Elapsed}");
        var query = Scenario.CancellationQueriesFor(call.TaskInstanceId)[0];
        Assert.Equal("x4b.rest", query.CatalogTaskDefinitionNamespace);
        Assert.Equal("bearer " + Scenario.ApiKey, query.Authorization);
        var body = JsonDocument.Parse(await host.Client.GetStringAsync($"/scenario/tasks/{call.TaskInstanceId}")).RootElement;
        Assert.True(body.GetProperty("cancelledByScenario").GetBoolean());
        var queries = Scenario.CancellationQueriesFor(call.TaskInstanceId).Count;

        // Nothing is posted for the task, and no question follows the end of its work: give a late post time to arrive.
        await host.RestCall.PostAsync("/deferring/brief/1000", null);
        await Scenario.WaitForStatusesAsync(s => s.Any(x => x.IsTerminal), Timeout);
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(queries, Scenario.CancellationQueriesFor(call.TaskInstanceId).Count);
        Assert.Contains(host.Logs.Lines, e => e.EventId == 1601);
    }

    [Fact]
    public async Task CancelledDeferredTask_GetsNoErrorAtItsDeadline()
    {
        await using var host = await StartAsync();
        var call = await host.RestCall.PostAsync("/deferring/defer/3000", null);
        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId))?.DeferredUntil is not null, "the task is deferred");
        var deadlineJobId = (await RecordAsync(host, call.TaskInstanceId))!.DeadlineJobId!;

        Scenario.CancelTask(call.TaskInstanceId);
        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId))?.CancelledByScenarioAt is not null, "the cancellation is recorded");
        await Await.UntilAsync(() => host.Storage.StateOf(deadlineJobId) == "Deleted", "the deadline is dropped");

        var late = await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, null);
        Assert.False(late.IsDecided);
        Assert.Equal(ScenarioPriorOutcome.CancelledByScenario, late.PriorOutcome);

        // Past the deadline: a brief task after it shows the server is working, and nothing came for the cancelled one.
        var deferredUntil = (await RecordAsync(host, call.TaskInstanceId))!.DeferredUntil!.Value;
        await Await.UntilAsync(() => DateTimeOffset.UtcNow > deferredUntil.AddSeconds(1), "the deadline has passed");
        var brief = await host.RestCall.PostAsync("/deferring/brief/1", null);
        await Scenario.WaitForTerminalStatusAsync(brief.TaskInstanceId, Timeout);
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task DeferredTaskCancelledAfterItsLastCheck_GetsNothingAtItsDeadline_TheDeadlineAsksFirst()
    {
        // An hour between checks: the one after the deferral is the last before the deadline, so only the deadline's own
        // question can find that Scenario cancelled the task in between.
        await using var host = await StartAsync(pollInterval: "01:00:00");
        var call = await host.RestCall.PostAsync("/deferring/defer/1500", null);
        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId))?.DeferredUntil is not null, "the task is deferred");
        Scenario.CancelTask(call.TaskInstanceId);

        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId))?.CancelledByScenarioAt is not null, "the deadline records the cancellation", Timeout);

        var brief = await host.RestCall.PostAsync("/deferring/brief/1", null);
        await Scenario.WaitForTerminalStatusAsync(brief.TaskInstanceId, Timeout);
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Null((await RecordAsync(host, call.TaskInstanceId))!.Outcome);
        Assert.Contains(Scenario.CancellationQueriesFor(call.TaskInstanceId), q => q.Authorization == "bearer " + Scenario.ApiKey);
    }

    [Fact]
    public async Task CancellationQueryAnswering404_LeavesTheWorkAlone()
    {
        Scenario.ServesCancellationQuery = false;
        await using var host = await StartAsync();

        var call = await host.RestCall.PostAsync("/deferring/brief/1500", null);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);

        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        Assert.Equal("Completed", status.Status);
        Assert.Equal("true", status.OutputValues["done"]);
        var queries = Scenario.CancellationQueriesFor(call.TaskInstanceId);
        Assert.Single(queries);
        Assert.Equal(404, queries[0].AnsweredStatusCode);
        Assert.Single(host.Logs.Lines, e => e.EventId == 1602);
    }

    [Fact]
    public async Task CancellationQueryDuringAnOutage_KeepsTheWorkRunningAndAsksAgain()
    {
        await using var host = await StartAsync();
        var call = await host.RestCall.PostAsync("/deferring/brief/3000", null);
        await Await.UntilAsync(() => host.Probe.CountFor(call.TaskInstanceId) == 1, "the work runs");

        Scenario.IsDown = true;
        await Scenario.WaitForCancellationQueriesAsync(q => q.Count(x => x.TaskInstanceId == call.TaskInstanceId && x.AnsweredStatusCode >= 500) >= 2, Timeout);
        Scenario.IsDown = false;
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal("true", status.OutputValues["done"]);
        Assert.Contains(host.Logs.Lines, e => e.EventId == 1603);
    }

    [Fact]
    public async Task CancellationQueryRefusingTheToken_KeepsTheWorkRunningAndAsksAgain()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(DeferringController)],
            new() { ["Scenario:Cancellation:PollInterval"] = "00:00:00.200", ["Scenario:ApiKey"] = "a-revoked-token" });

        var call = await host.RestCall.PostAsync("/deferring/brief/1500", null);
        await Await.UntilAsync(() => host.Logs.Lines.Any(e => e.EventId == 1201), "the work finishes");

        Assert.True(Scenario.CancellationQueriesFor(call.TaskInstanceId).Count(q => q.AnsweredStatusCode is 401 or 403) >= 2, string.Join(", ", Scenario.CancellationQueries.Select(q => q.AnsweredStatusCode)));
        Assert.Contains(host.Logs.Lines, e => e.EventId == 1603);
        Assert.DoesNotContain("a-revoked-token", host.Logs.AllText(), StringComparison.Ordinal);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class CancellationByScenarioTests_InMemoryStore() : CancellationByScenarioTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class CancellationByScenarioTests_PostgreSqlStore() : CancellationByScenarioTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class CancellationByScenarioTests_HangfireStore() : CancellationByScenarioTests(TaskStoreUnderTest.Hangfire);
