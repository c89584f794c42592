using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>Nothing a deferred task schedules outlives it: its deadline and cancellation checks go when it is decided, and a check that ran is not kept.</summary>
public abstract class TaskDeferralTests(TaskStoreUnderTest store) : StandInTest
{
    private Task<ReceiverTestHost> StartAsync(string pollInterval)
        => ReceiverTestHost.StartAsync(store, Scenario, [typeof(DeferringController)], new() { ["Scenario:Cancellation:PollInterval"] = pollInterval });

    private static async Task<TaskRecord?> RecordAsync(ReceiverTestHost host, string taskInstanceId) => await host.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId);

    /// <summary>The jobs of the task still waiting in Scheduled: its id is every one of its jobs' first argument.</summary>
    private static List<string> ScheduledJobsOf(ReceiverTestHost host, string taskInstanceId)
        => host.Storage.GetMonitoringApi().ScheduledJobs(0, int.MaxValue)
            .Where(job => job.Value?.Job?.Args is [string id, ..] && id == taskInstanceId)
            .Select(job => job.Key)
            .ToList();

    private static async Task<TaskRecord> DeferredWithACheckScheduledAsync(ReceiverTestHost host, string taskInstanceId)
    {
        await Await.UntilAsync(async () => (await RecordAsync(host, taskInstanceId)) is { DeadlineJobId: not null, CancellationCheckJobId: not null }, "the task is deferred with a cancellation check scheduled");
        return (await RecordAsync(host, taskInstanceId))!;
    }

    [Fact]
    public async Task DeferredTaskCompletedByCallback_LeavesNoScheduledJobOfItsOwn()
    {
        // A minute between checks: without the deletion, the check would wait that long in Scheduled, and the deadline ten.
        await using var host = await StartAsync("00:01:00");
        var call = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        var deferred = await DeferredWithACheckScheduledAsync(host, call.TaskInstanceId);
        Assert.Equal(
            new[] { deferred.CancellationCheckJobId!, deferred.DeadlineJobId! }.Order(StringComparer.Ordinal),
            ScheduledJobsOf(host, call.TaskInstanceId).Order(StringComparer.Ordinal));

        var result = await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, new { price = 1 });

        Assert.True(result.IsDecided);
        Assert.Empty(ScheduledJobsOf(host, call.TaskInstanceId));
        Assert.Equal(DeletedState.StateName, host.Storage.StateOf(deferred.DeadlineJobId!));
        Assert.Equal(DeletedState.StateName, host.Storage.StateOf(deferred.CancellationCheckJobId!));
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        Assert.Equal("Completed", status.Status);
    }

    [Fact]
    public async Task DeferredTaskPastItsDeadline_LeavesNoScheduledCheck()
    {
        await using var host = await StartAsync("00:01:00");
        var call = await host.RestCall.PostAsync("/deferring/defer/1000", null);
        var deferred = await DeferredWithACheckScheduledAsync(host, call.TaskInstanceId);

        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Error", status.Status);
        Assert.Empty(ScheduledJobsOf(host, call.TaskInstanceId));
        Assert.Equal(DeletedState.StateName, host.Storage.StateOf(deferred.CancellationCheckJobId!));
    }

    [Fact]
    public async Task CancellationCheckThatRan_ExpiresAMinuteAfterItSucceeded()
    {
        await using var host = await StartAsync("00:00:00.200");
        var call = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        var firstCheck = (await DeferredWithACheckScheduledAsync(host, call.TaskInstanceId)).CancellationCheckJobId!;

        await Await.UntilAsync(() => host.Storage.StateOf(firstCheck) == SucceededState.StateName, "the first cancellation check has run");

        var details = host.Storage.JobDetails(firstCheck)!;
        var succeededAt = details.History.First(state => state.StateName == SucceededState.StateName).CreatedAt;
        Assert.NotNull(details.ExpireAt);
        Assert.InRange(details.ExpireAt!.Value - succeededAt, ExpireSoonWhenFinishedAttribute.Expiration - TimeSpan.FromSeconds(5), ExpireSoonWhenFinishedAttribute.Expiration + TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromMinutes(1), ExpireSoonWhenFinishedAttribute.Expiration);
    }

    [Fact]
    public async Task CancellationCheckDeletedByTheCallback_ExpiresAMinuteAfterItsDeletion()
    {
        await using var host = await StartAsync("00:01:00");
        var call = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        var check = (await DeferredWithACheckScheduledAsync(host, call.TaskInstanceId)).CancellationCheckJobId!;

        await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, new { price = 1 });

        var details = host.Storage.JobDetails(check)!;
        var deletedAt = details.History.First(state => state.StateName == DeletedState.StateName).CreatedAt;
        Assert.NotNull(details.ExpireAt);
        Assert.InRange(details.ExpireAt!.Value - deletedAt, ExpireSoonWhenFinishedAttribute.Expiration - TimeSpan.FromSeconds(5), ExpireSoonWhenFinishedAttribute.Expiration + TimeSpan.FromSeconds(5));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskDeferralTests_InMemoryStore() : TaskDeferralTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskDeferralTests_PostgreSqlStore() : TaskDeferralTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskDeferralTests_HangfireStore() : TaskDeferralTests(TaskStoreUnderTest.Hangfire);
