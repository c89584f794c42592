using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// Report jobs run on a queue of their own, served by the receiver's own Hangfire server, so that deliveries never
/// wait behind the work nor hold its workers, and the application's server needs no change to its queues.
/// </summary>
public abstract class ScenarioReportServerTests(TaskStoreUnderTest store) : StandInTest
{
    private static async Task<TaskRecord?> RecordAsync(ReceiverTestHost host, string taskInstanceId) => await host.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId);

    /// <summary>The queues a job was enqueued on, in its history.</summary>
    private static string[] EnqueuedQueues(ReceiverTestHost host, string jobId)
        => host.Storage.JobDetails(jobId)!.History
            .Where(state => state.StateName == "Enqueued")
            .Select(state => state.Data["Queue"])
            .ToArray();

    [Fact]
    public async Task HostWithAHangfireServer_RunsAReportServerWithItsOwnWorkers_ForTheReportQueueAlone()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var monitoring = host.Storage.GetMonitoringApi();

        await Await.UntilAsync(() => monitoring.Servers().Count == 2, "both servers announce themselves");
        var servers = monitoring.Servers();
        var reports = Assert.Single(servers, server => server.Queues.Contains(ScenarioReportingOptions.ReportQueue));
        Assert.Equal([ScenarioReportingOptions.ReportQueue], reports.Queues);
        Assert.Equal(ScenarioReportingOptions.DefaultWorkers, reports.WorkersCount);
        Assert.Single(servers, server => server.Queues.SequenceEqual(["default"]) && server.WorkersCount == 4);
    }

    [Fact]
    public async Task ReportJob_AfterAFailedFirstAttempt_RunsFromTheReportQueue_ThoughTheApplicationsServerDoesNotListIt()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        Scenario.FailNext(1, 503);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId)) is { ReportJobId: { } id } && host.Storage.StateOf(id) == "Succeeded", "the report job succeeds");

        var reportJobId = (await RecordAsync(host, call.TaskInstanceId))!.ReportJobId!;
        Assert.Equal([ScenarioReportingOptions.ReportQueue], EnqueuedQueues(host, reportJobId));
        Assert.Equal(["default"], EnqueuedQueues(host, call.JobId!));
    }

    [Fact]
    public async Task ReportJob_OfAnExplicitCompletion_RunsFromTheReportQueue()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(DeferringController)]);
        var call = await host.RestCall.PostAsync("/deferring/defer/60000", null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        await Await.UntilAsync(async () => (await RecordAsync(host, call.TaskInstanceId))?.DeferredUntil is not null, "the task is deferred");

        await host.Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, new { price = 1 });
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal([ScenarioReportingOptions.ReportQueue], EnqueuedQueues(host, (await RecordAsync(host, call.TaskInstanceId))!.ReportJobId!));
    }

    [Fact]
    public async Task ReportWorkersZero_StartsNoReportServer_AndSaysWhichQueueTheApplicationMustServe()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], new() { ["Scenario:Reporting:Workers"] = "0" });
        var monitoring = host.Storage.GetMonitoringApi();

        await Await.UntilAsync(() => monitoring.Servers().Count > 0, "the application's server announces itself");
        Assert.DoesNotContain(monitoring.Servers(), server => server.Queues.Contains(ScenarioReportingOptions.ReportQueue));
        Assert.Contains(host.Logs.Lines, line => line.FullText.Contains(
            "No report server started: Scenario:Reporting:Workers is 0; a Hangfire server of the application must list the queue 'scenario-reports'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostWithoutAHangfireServer_StartsNoReportServer()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);

        Assert.Empty(host.Storage.GetMonitoringApi().Servers());
        Assert.Contains(host.Logs.Lines, line => line.FullText.Contains(
            "No report server started: this host runs no Hangfire server (AddHangfireServer); report jobs run on the hosts that do", StringComparison.Ordinal));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioReportServerTests_InMemoryStore() : ScenarioReportServerTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioReportServerTests_PostgreSqlStore() : ScenarioReportServerTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioReportServerTests_HangfireStore() : ScenarioReportServerTests(TaskStoreUnderTest.Hangfire);
