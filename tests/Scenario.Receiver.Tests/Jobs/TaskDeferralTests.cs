using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>Nothing a deferred task schedules outlives it: its deadline goes when it is decided, and its cancellation checks are batched, with no job of their own.</summary>
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

    private static async Task<TaskRecord> DeferredAsync(ReceiverTestHost host, string taskInstanceId)
    {
        await Await.UntilAsync(async () => (await RecordAsync(host, taskInstanceId)) is { DeadlineJobId: not null }, "the task is deferred");
        return (await RecordAsync(host, taskInstanceId))!;
    }

    /// <summary>Every job in storage whose method is the per-task cancellation check of earlier versions.</summary>
    private static int CancellationCheckJobs(ReceiverTestHost host)
    {
        var monitoring = host.Storage.GetMonitoringApi();
        static bool IsCheck(Hangfire.Common.Job? job) => job?.Method.Name == nameof(ScenarioDeferralJob.CheckCancellationAsync);
        return monitoring.ScheduledJobs(0, int.MaxValue).Count(j => IsCheck(j.Value?.Job))
            + monitoring.EnqueuedJobs("default", 0, int.MaxValue).Count(j => IsCheck(j.Value?.Job))
            + monitoring.ProcessingJobs(0, int.MaxValue).Count(j => IsCheck(j.Value?.Job))
            + monitoring.SucceededJobs(0, int.MaxValue).Count(j => IsCheck(j.Value?.Job))
            + monitoring.DeletedJobs(0, int.MaxValue).Count(j => IsCheck(j.Value?.Job));
    }

    [Fact]
    public async Task DeferredTaskCompletedByCallback_LeavesNoScheduledJobOfItsOwn()
    {
        // Ten minutes to the deadline: without the deletion, it would wait that long in Scheduled.
        await using var host = await StartAsync("00:01:00");
        var call = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        var deferred = await DeferredAsync(host, call.TaskInstanceId);
        Assert.Equal([deferred.DeadlineJobId!], ScheduledJobsOf(host, call.TaskInstanceId));

        var result = await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, new { price = 1 });

        Assert.True(result.IsDecided);
        Assert.Empty(ScheduledJobsOf(host, call.TaskInstanceId));
        Assert.Equal(DeletedState.StateName, host.Storage.StateOf(deferred.DeadlineJobId!));
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        Assert.Equal("Completed", status.Status);
    }

    [Fact]
    public async Task DeferredTaskPastItsDeadline_LeavesNoScheduledJob()
    {
        await using var host = await StartAsync("00:01:00");
        var call = await host.RestCall.PostAsync("/deferring/defer/1000", null);
        await DeferredAsync(host, call.TaskInstanceId);

        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Error", status.Status);
        Assert.Empty(ScheduledJobsOf(host, call.TaskInstanceId));
    }

    [Fact]
    public async Task DeferredTaskAskedAboutRepeatedly_HasNoCancellationCheckJob()
    {
        await using var host = await StartAsync("00:00:00.200");
        var call = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        await DeferredAsync(host, call.TaskInstanceId);

        await Scenario.WaitForCancellationQueriesAsync(q => q.Count(x => x.TaskInstanceId == call.TaskInstanceId) >= 3, Await.DefaultTimeout);

        Assert.Equal(0, CancellationCheckJobs(host));
    }

    [Fact]
    public async Task DeferredTaskCompletedByCallback_IsNotAskedAboutAnyMore()
    {
        await using var host = await StartAsync("00:00:00.200");
        var call = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        await DeferredAsync(host, call.TaskInstanceId);
        await Scenario.WaitForCancellationQueriesAsync(q => q.Any(x => x.TaskInstanceId == call.TaskInstanceId), Await.DefaultTimeout);

        await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, new { price = 1 });
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var asked = Scenario.CancellationQueriesFor(call.TaskInstanceId).Count;

        // Another deferred task asked three times since: rounds have run, and none asked about the completed one.
        var other = await host.RestCall.PostAsync("/deferring/defer/600000", null);
        await Scenario.WaitForCancellationQueriesAsync(q => q.Count(x => x.TaskInstanceId == other.TaskInstanceId) >= 3, Await.DefaultTimeout);
        Assert.Equal(asked, Scenario.CancellationQueriesFor(call.TaskInstanceId).Count);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskDeferralTests_InMemoryStore() : TaskDeferralTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskDeferralTests_PostgreSqlStore() : TaskDeferralTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskDeferralTests_HangfireStore() : TaskDeferralTests(TaskStoreUnderTest.Hangfire);
