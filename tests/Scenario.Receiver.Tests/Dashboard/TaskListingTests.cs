using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Dashboard;

/// <summary>
/// What the Scenario page reads, on each task store: the accepted tasks newest first a page at a time, all of them or
/// those of one standing (each task in its own list alone, and moved as it moves), the count beside the navigation item, and what a failed delivery leaves in the record; and the work job's
/// state reason for a deferred task.
/// </summary>
public abstract class TaskListingTests(TaskStoreUnderTest store) : StandInTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Task<ReceiverTestHost> StartAsync() => ReceiverTestHost.StartAsync(store, Scenario, [typeof(DeferringController)]);

    private static ITaskStore Records(ReceiverTestHost host) => host.Services.GetRequiredService<ITaskStore>();

    private static async Task<string> CallAsync(ReceiverTestHost host, string path)
    {
        var call = await host.RestCall.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call.TaskInstanceId;
    }

    [SkippableFact]
    public async Task ListAsync_ThreeTasks_NewestFirstAPageAtATime()
    {
        await using var host = await StartAsync();
        var delivered = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        var deferred = await CallAsync(host, "/deferring/defer/600000");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(deferred))?.DeferredUntil is not null, "the task is deferred");
        var running = await CallAsync(host, "/deferring/until-cancelled");

        var first = await Records(host).ListAsync(TaskListFilter.All, 0, 2);
        var second = await Records(host).ListAsync(TaskListFilter.All, 2, 2);

        Assert.Equal(3, first.Total);
        Assert.Equal([running, deferred], first.Tasks.Select(task => task.TaskInstanceId));
        Assert.Equal(3, second.Total);
        Assert.Equal([delivered], second.Tasks.Select(task => task.TaskInstanceId));
        Assert.Equal("Completed", second.Tasks[0].Record.ReportedStatus);
    }

    [SkippableFact]
    public async Task RefusedDelivery_NotedInTheRecord_ListedAndCountedAsUndelivered()
    {
        await using var host = await StartAsync();
        var delivered = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        Scenario.FailNext(1, 401);

        var refused = await CallAsync(host, "/deferring/brief/0");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(refused))?.Delivery?.NeedsPerson == true, "the refusal is noted");

        var record = (await Records(host).FindAsync(refused))!;
        Assert.Equal(1, record.Delivery!.Attempts);
        Assert.Equal("401 Unauthorized", record.Delivery.LastAnswer);
        Assert.Equal(TaskDecider.Work, record.DecidedBy);
        Assert.NotNull(record.DecidedAt);
        var undelivered = await Records(host).ListAsync(TaskListFilter.Only(TaskStanding.NeedsPerson), 0, 10);
        Assert.Equal(1, undelivered.Total);
        Assert.Equal([refused], undelivered.Tasks.Select(task => task.TaskInstanceId));
        Assert.Equal(1, Records(host).CountUndeliveredForMenu());
    }

    /// <summary>
    /// A host whose report job retries an hour after a failed post (so a task whose first post failed stays awaiting
    /// delivery) and that asks Scenario about its deferred tasks every 200 ms (so a cancellation is found at once).
    /// </summary>
    private Task<ReceiverTestHost> StartForStandingsAsync() => ReceiverTestHost.StartAsync(
        store,
        Scenario,
        [typeof(DeferringController)],
        new()
        {
            ["Scenario:Reporting:RetryDelays:0"] = "01:00:00",
            ["Scenario:Cancellation:PollInterval"] = "00:00:00.200",
            ["Scenario:Cancellation:Namespace"] = "x4b.rest",
        });

    private static async Task<IReadOnlyList<string>> ListedAsync(ReceiverTestHost host, TaskStanding standing, int skip = 0, int take = 50)
        => [.. (await Records(host).ListAsync(TaskListFilter.Only(standing), skip, take)).Tasks.Select(task => task.TaskInstanceId)];

    [SkippableFact]
    public async Task ListAsync_ATaskInEachStanding_ListedUnderItsStandingAndNoOther()
    {
        await using var host = await StartForStandingsAsync();

        // One status post at a time while the stand-in fails the next one: no other post may take the fault instead.
        var delivered = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(delivered))?.IsReported == true, "the task is marked reported");

        Scenario.FailNext(1, 401);
        var refused = await CallAsync(host, "/deferring/brief/0");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(refused))?.Delivery?.NeedsPerson == true, "the refusal is noted");

        Scenario.FailNext(1, 503);
        var retrying = await CallAsync(host, "/deferring/brief/0");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(retrying))?.Delivery is not null, "the failed attempt is noted");

        var cancelled = await CallAsync(host, "/deferring/defer/600000");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(cancelled))?.DeferredUntil is not null, "the task is deferred");
        Scenario.CancelTask(cancelled);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(cancelled))?.CancelledByScenarioAt is not null, "the cancellation is recorded");

        var deferred = await CallAsync(host, "/deferring/defer/600000");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(deferred))?.DeferredUntil is not null, "the task is deferred");
        var running = await CallAsync(host, "/deferring/until-cancelled");

        var expected = new Dictionary<TaskStanding, string[]>
        {
            [TaskStanding.Running] = [running],
            [TaskStanding.Deferred] = [deferred],
            [TaskStanding.AwaitingDelivery] = [retrying],
            [TaskStanding.NeedsPerson] = [refused],
            [TaskStanding.Delivered] = [delivered],
            [TaskStanding.CancelledByScenario] = [cancelled],
        };
        var listed = new Dictionary<TaskStanding, string[]>();
        var totals = new Dictionary<TaskStanding, long>();
        foreach (var standing in TaskStandings.All)
        {
            var page = await Records(host).ListAsync(TaskListFilter.Only(standing), 0, 50);
            listed[standing] = [.. page.Tasks.Select(task => task.TaskInstanceId)];
            totals[standing] = page.Total;
        }

        Assert.Equal(expected, listed);
        Assert.All(totals.Values, total => Assert.Equal(1, total));
        Assert.Equal(6, (await Records(host).ListAsync(TaskListFilter.All, 0, 50)).Total);
    }

    [SkippableFact]
    public async Task ListAsync_ThreeDeferredTasks_NewestFirstAPageAtATime()
    {
        await using var host = await StartForStandingsAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await CallAsync(host, "/deferring/defer/600000");
            await Await.UntilAsync(async () => (await Records(host).FindAsync(id))?.DeferredUntil is not null, "the task is deferred");
            ids.Add(id);
        }

        var first = await Records(host).ListAsync(TaskListFilter.Only(TaskStanding.Deferred), 0, 2);
        var second = await Records(host).ListAsync(TaskListFilter.Only(TaskStanding.Deferred), 2, 2);

        Assert.Equal(3, first.Total);
        Assert.Equal([ids[2], ids[1]], first.Tasks.Select(task => task.TaskInstanceId));
        Assert.Equal(3, second.Total);
        Assert.Equal([ids[0]], second.Tasks.Select(task => task.TaskInstanceId));
    }

    [SkippableFact]
    public async Task ListAsync_DeferredTaskCompleted_MovesFromDeferredToDelivered()
    {
        await using var host = await StartForStandingsAsync();
        var id = await CallAsync(host, "/deferring/defer/600000");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(id))?.DeferredUntil is not null, "the task is deferred");
        var whileDeferred = (Deferred: await ListedAsync(host, TaskStanding.Deferred), Delivered: await ListedAsync(host, TaskStanding.Delivered));

        var completion = await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(id, new Dictionary<string, string> { ["price"] = "101.5" });
        Assert.True(completion.IsDecided);
        await Scenario.WaitForTerminalStatusAsync(id, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(id))?.IsReported == true, "the task is marked reported");

        Assert.Equal([id], whileDeferred.Deferred);
        Assert.Empty(whileDeferred.Delivered);
        Assert.Empty(await ListedAsync(host, TaskStanding.Deferred));
        Assert.Empty(await ListedAsync(host, TaskStanding.AwaitingDelivery));
        Assert.Equal([id], await ListedAsync(host, TaskStanding.Delivered));
        Assert.Equal(0, (await Records(host).ListAsync(TaskListFilter.Only(TaskStanding.Deferred), 0, 10)).Total);
    }

    [SkippableFact]
    public async Task DeferredTask_WorkJobSucceeded_ItsReasonSaysTheTaskStillWaits()
    {
        await using var host = await StartAsync();
        var deferred = await CallAsync(host, "/deferring/defer/600000");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(deferred))?.DeferredUntil is not null, "the task is deferred");
        var jobId = (await Records(host).FindAsync(deferred))!.JobId!;
        await Await.UntilAsync(() => host.Storage.StateOf(jobId) == "Succeeded", "the work job succeeded");

        using var connection = host.Storage.GetConnection();
        var reason = connection.GetStateData(jobId).Reason;

        Assert.Equal("Deferred: the task is still running in Scenario, waiting for its completion (a callback) for up to 00:10:00, then Error 504. Nothing is reported yet.", reason);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskListingTests_InMemoryStore() : TaskListingTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskListingTests_PostgreSqlStore() : TaskListingTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskListingTests_HangfireStore() : TaskListingTests(TaskStoreUnderTest.Hangfire);
