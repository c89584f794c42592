using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Dashboard;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Dashboard;

/// <summary>The Scenario page's actions on each task store: a retry after a refusal, a second post of a delivered status, a refusal.</summary>
public abstract class TaskOperatorTests(TaskStoreUnderTest store) : StandInTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Task<ReceiverTestHost> StartAsync() => ReceiverTestHost.StartAsync(store, Scenario, [typeof(DeferringController)]);

    private static ITaskStore Records(ReceiverTestHost host) => host.Services.GetRequiredService<ITaskStore>();

    private static TaskOperator Operator(ReceiverTestHost host) => ActivatorUtilities.CreateInstance<TaskOperator>(host.Services);

    private static async Task<string> CallAsync(ReceiverTestHost host, string path)
    {
        var call = await host.RestCall.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call.TaskInstanceId;
    }

    [SkippableFact]
    public async Task RetryDeliveryAsync_RefusedDelivery_ScenarioReceivesTheStatusOnce()
    {
        await using var host = await StartAsync();
        Scenario.FailNext(1, 401);
        var refused = await CallAsync(host, "/deferring/brief/0");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(refused))?.Delivery?.NeedsPerson == true, "the refusal is noted");

        var result = await Operator(host).RetryDeliveryAsync(refused, "alice", CancellationToken.None);
        await Scenario.WaitForTerminalStatusAsync(refused, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(refused))?.IsReported == true, "the task is marked reported");

        Assert.StartsWith("Delivery retried now: report job ", result, StringComparison.Ordinal);
        Assert.Equal(["Completed"], Scenario.StatusesFor(refused).Select(status => status.Status));
        Assert.Contains(host.Logs.Lines, line => line.EventId == 1903 && line.Message.StartsWith($"Operator alice retried the delivery of Scenario task {refused} now", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task RedeliverAsync_DeliveredTask_PostsItASecondTimeAndNotesIt()
    {
        await using var host = await StartAsync();
        var delivered = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(delivered))?.IsReported == true, "the task is marked reported");

        var result = await Operator(host).RedeliverAsync(delivered, "alice", CancellationToken.None);

        Assert.Equal("Re-delivered (a second post of Completed): Scenario answered 204 (taken).", result);
        Assert.Equal(["Completed", "Completed"], Scenario.StatusesFor(delivered).Select(status => status.Status));
        var note = (await Records(host).FindAsync(delivered))!.Delivery!;
        Assert.Equal("second post: 204 (taken)", note.LastAnswer);
        Assert.Equal("alice", note.RedeliveredBy);
        Assert.NotNull(note.RedeliveredAt);
        Assert.Contains(host.Logs.Lines, line => line.EventId == 1904 && line.Message.Contains("a SECOND post", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task FailAsync_RunningTask_ItsWorkObservesCancellationAndScenarioReceivesExactlyOneError()
    {
        await using var host = await StartAsync();
        var probe = host.Services.GetRequiredService<WorkProbe>();
        var running = await CallAsync(host, "/deferring/until-cancelled/noted");
        await Await.UntilAsync(() => probe.CountFor(running) == 1, "the work runs");
        var workJobId = (await Records(host).FindAsync(running))!.JobId!;

        var result = await Operator(host).FailAsync(running, "alice", "Stuck on a lost price feed.", CancellationToken.None);
        await Await.UntilAsync(() => probe.Invocations.Any(i => i.TaskInstanceId == running && i.Action == DeferringController.CancellationObserved), "the work observes its cancellation");
        await Scenario.WaitForTerminalStatusAsync(running, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(running))?.IsReported == true, "the task is marked reported");

        // A task after it: a second report of the failed one, from the deletion of its work job, would have arrived first.
        var after = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(after, Timeout);

        Assert.Equal("Failed: Scenario receives Error 500.", result);
        var status = Assert.Single(Scenario.StatusesFor(running));
        Assert.Equal("Error", status.Status);
        Assert.Equal("Stuck on a lost price feed.", status.Message);
        using var connection = host.Storage.GetConnection();
        var workState = connection.GetStateData(workJobId);
        Assert.Equal("Deleted", workState.Name);
        Assert.Equal("Failed by operator alice from the dashboard's Scenario page: Scenario receives Error 500; the work is cancelled and whatever it returns is dropped.", workState.Reason);
        Assert.Equal(TaskDecider.Operator, (await Records(host).FindAsync(running))!.DecidedBy);
        var ended = Assert.Single(host.Logs.Lines, line => line.EventId == 1906);
        Assert.Equal($"Operator alice failed Scenario task {running} while its work job {workJobId} was Processing: the job is deleted, so the work's cancellation token fires; whatever the work returns now is dropped", ended.Message);
    }

    [SkippableFact]
    public async Task FailAsync_DeliveredTask_RefusedAndNothingPosted()
    {
        await using var host = await StartAsync();
        var delivered = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(delivered))?.IsReported == true, "the task is marked reported");

        var result = await Operator(host).FailAsync(delivered, "alice", "too late", CancellationToken.None);

        Assert.Equal("Not done: only a running or deferred task can be failed.", result);
        Assert.Equal(["Completed"], Scenario.StatusesFor(delivered).Select(status => status.Status));
        Assert.Equal(TaskDecider.Work, (await Records(host).FindAsync(delivered))!.DecidedBy);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskOperatorTests_InMemoryStore() : TaskOperatorTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskOperatorTests_PostgreSqlStore() : TaskOperatorTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskOperatorTests_HangfireStore() : TaskOperatorTests(TaskStoreUnderTest.Hangfire);
