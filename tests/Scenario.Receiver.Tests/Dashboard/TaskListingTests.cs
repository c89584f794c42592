using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Dashboard;

/// <summary>
/// What the Scenario page reads, on each task store: the accepted tasks newest first a page at a time, the undelivered
/// ones, the count beside the navigation item, and what a failed delivery leaves in the record; and the work job's
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
        var undelivered = await Records(host).ListAsync(TaskListFilter.Undelivered, 0, 10);
        Assert.Equal(1, undelivered.Total);
        Assert.Equal([refused], undelivered.Tasks.Select(task => task.TaskInstanceId));
        Assert.Equal(1, Records(host).CountUndeliveredForMenu());
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
