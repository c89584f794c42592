using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>Durable delivery: faults answered by the stand-in, and report jobs that run more than once.</summary>
public abstract class ScenarioReportJobTests(TaskStoreUnderTest store) : StandInTest
{
    /// <summary>The report job the work job created when its own delivery failed.</summary>
    private static async Task<string> ReportJobIdOf(ReceiverTestHost host, string taskInstanceId)
    {
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.FindAsync(taskInstanceId))?.ReportJobId is not null, "a report job was created");
        return (await records.FindAsync(taskInstanceId))!.ReportJobId!;
    }

    private static async Task<bool> IsReportedAsync(ReceiverTestHost host, string taskInstanceId)
        => (await host.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId)) is { IsReported: true };

    [Fact]
    public async Task ScenarioDownForSomePosts_EveryTaskEndsWithOneDeliveredTerminalStatus()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(4, 503);

        var calls = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.RestCall.PostAsync("/tasks/value", TestData.ValidBody)));
        foreach (var call in calls)
        {
            await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        }

        Assert.Equal(9, Scenario.Requests.Count(r => r.Path.EndsWith("task-statuses", StringComparison.Ordinal)));
        Assert.All(calls, call => Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal));
        Assert.All(calls, call => Assert.Equal("Completed", Scenario.StatusesFor(call.TaskInstanceId).Single().Status));
    }

    [Fact]
    public async Task ScenarioAnswering503WithRetryAfter_NextAttemptWaitsThatLong()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(1, 503, TimeSpan.FromSeconds(2));

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        var delivered = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var refused = Scenario.Requests.Single(r => r.AnsweredStatusCode == 503);
        Assert.True(delivered.ReceivedAt - refused.ReceivedAt >= TimeSpan.FromSeconds(1.9), $"retried after {(delivered.ReceivedAt - refused.ReceivedAt).TotalSeconds} s");
        var history = host.Storage.JobDetails(await ReportJobIdOf(host, call.TaskInstanceId))!.History;
        Assert.Contains(history, h => h.StateName == "Scheduled" && h.Reason.StartsWith("Retry 1 in 2 s: attempt 1 of 60: Scenario answered 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScenarioAnsweringAHugeRetryAfter_NextAttemptWaitsOnlyTheCapAndTheCapIsLogged()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)],
            new() { ["Scenario:Reporting:MaxRetryDelay"] = "00:00:01" });
        Scenario.FailNext(1, 503, TimeSpan.FromSeconds(86_400_000));

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var history = host.Storage.JobDetails(await ReportJobIdOf(host, call.TaskInstanceId))!.History;
        Assert.Contains(history, h => h.StateName == "Scheduled" && h.Reason.StartsWith("Retry 1 in 1 s: attempt 1 of 60: Scenario answered 503", StringComparison.Ordinal));
        var capped = Assert.Single(host.Logs.Lines, l => l.EventId == 1306);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, capped.Level);
        Assert.Equal(
            $"Scenario asked to wait 86400000 s before Completed for task {call.TaskInstanceId} is posted again; waiting 1 s instead (Scenario:Reporting:MaxRetryDelay)",
            capped.Message);
    }

    [Fact]
    public async Task ScenarioAnsweringAHugeRetryAfter_WithTheDefaults_RetryIsScheduledWithinAnHour()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(1, 503, TimeSpan.FromSeconds(86_400_000));

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        var reportJobId = await ReportJobIdOf(host, call.TaskInstanceId);
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) == "Scheduled", "the retry is scheduled");

        var scheduled = host.Storage.JobDetails(reportJobId)!.History.First(h => h.StateName == "Scheduled");
        var enqueueAt = Hangfire.Common.JobHelper.DeserializeDateTime(scheduled.Data["EnqueueAt"]);
        Assert.InRange(enqueueAt, DateTime.UtcNow.AddMinutes(59), DateTime.UtcNow.AddHours(1).AddSeconds(5));
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task ScenarioAnswering401_OneAttemptAndTheReportJobFailsWithTheReason()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(1, 401);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        var reportJobId = await ReportJobIdOf(host, call.TaskInstanceId);
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) == "Failed", "the report job is Failed");

        Assert.Single(Scenario.Requests, r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal));
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        var failed = host.Storage.JobDetails(reportJobId)!.History.First(h => h.StateName == "Failed");
        Assert.Equal(
            $"Scenario refused the Completed status of task {call.TaskInstanceId} with 401 Unauthorized: the worker token was missing or not recognised; check Scenario:ApiKey. Requeue this job from the dashboard once fixed.",
            failed.Data["ExceptionMessage"]);
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1304 && l.Message.Contains("check Scenario:ApiKey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedReport_RequeuedAfterTheFix_IsDeliveredOnce()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(1, 403);
        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        var reportJobId = await ReportJobIdOf(host, call.TaskInstanceId);
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) == "Failed", "the report job is Failed");

        host.Services.GetRequiredService<IBackgroundJobClient>().Requeue(reportJobId);
        var delivered = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", delivered.Status);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task ScenarioDownLongerThanMaxAttempts_ReportJobGivesUpFailedAndVisible()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], new() { ["Scenario:Reporting:MaxAttempts"] = "3" });
        Scenario.FailAll(502);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        var reportJobId = await ReportJobIdOf(host, call.TaskInstanceId);
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) == "Failed", "the report job is Failed");
        Scenario.FailAll(null);

        Assert.Equal(3, Scenario.Requests.Count(r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal)));
        var failed = host.Storage.JobDetails(reportJobId)!.History.First(h => h.StateName == "Failed");
        Assert.StartsWith(
            $"Gave up delivering the Completed status of task {call.TaskInstanceId} after 3 attempts (Scenario:Reporting:MaxAttempts)",
            failed.Data["ExceptionMessage"],
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScenarioAvailable_TheWorkJobReportsItselfAndNoReportJobIsCreated()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Succeeded", "the work job succeeded");

        Assert.Equal(1, host.Storage.TotalJobs());
        Assert.Null((await host.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))!.ReportJobId);
    }

    [Fact]
    public async Task ReportJobRunTwice_PostsOnce()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(1, 503);
        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        var reportJobId = await ReportJobIdOf(host, call.TaskInstanceId);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) == "Succeeded", "the report job succeeded");

        host.Services.GetRequiredService<IBackgroundJobClient>().Requeue(reportJobId);
        await Await.UntilAsync(
            () => host.Storage.JobDetails(reportJobId)!.History.Count(h => h.StateName == "Succeeded") == 2,
            "the report job ran a second time");

        Assert.Equal(2, Scenario.Requests.Count(r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal))); // the 503, then the delivery
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1305 && l.Message.Contains(call.TaskInstanceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkJobRunAgainAfterTheReport_DoesNotRepeatTheWorkOrPostAgain()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(async () => (await IsReportedAsync(host, call.TaskInstanceId)) && host.Storage.StateOf(call.JobId!) == "Succeeded", "the task is reported");

        host.Services.GetRequiredService<IBackgroundJobClient>().Requeue(call.JobId!);
        await Await.UntilAsync(
            () => host.Storage.JobDetails(call.JobId!)!.History.Count(h => h.StateName == "Succeeded") == 2,
            "the work job ran a second time");

        Assert.Equal(1, host.Probe.CountFor(call.TaskInstanceId));
        Assert.Single(Scenario.Requests, r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1205);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioReportJobTests_InMemoryStore() : ScenarioReportJobTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioReportJobTests_PostgreSqlStore() : ScenarioReportJobTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioReportJobTests_HangfireStore() : ScenarioReportJobTests(TaskStoreUnderTest.Hangfire);
