using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>A Scenario that is slow to answer a terminal post, and a shutdown while it is: one terminal status either way.</summary>
public abstract class SlowScenarioTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task ScenarioAnswering40sLate_WithTheDefaultTimeouts_GetsOneTerminalStatusFromTheReportJob()
    {
        // The test host shortens the request timeout; this test needs the library's defaults.
        var defaults = new ScenarioReportingOptions();
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], new() { ["Scenario:Reporting:RequestTimeout"] = defaults.RequestTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture) });
        Scenario.ResponseDelay = TimeSpan.FromSeconds(40);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, TimeSpan.FromSeconds(120));
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.FindAsync(call.TaskInstanceId))?.IsReported == true, "the task is marked reported", TimeSpan.FromSeconds(30));
        var reportJobId = (await records.FindAsync(call.TaskInstanceId))!.ReportJobId!;

        // The task is marked reported inside the job; its Succeeded state is committed a moment after.
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) != "Processing", "the report job ends");

        // The work job's short attempt gave up after InlineAttemptTimeout (the stand-in saw the sender leave: 499) and its
        // worker went back to the work; the report job waited the 40 s with the full RequestTimeout.
        var posts = Scenario.Requests.Where(r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal)).Select(r => r.AnsweredStatusCode);
        Assert.Equal([499, 204], posts);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        Assert.Equal("Succeeded", host.Storage.StateOf(call.JobId!));
        Assert.Equal("Succeeded", host.Storage.StateOf(reportJobId));

        // The unanswered post may have been taken: the report job's post says it may be a duplicate.
        Assert.Contains(host.Logs.Lines, e => e.EventId == 1321);
    }

    [Fact]
    public async Task GracefulShutdown_DuringASlowTerminalPost_LetsItFinish_AndTheNextStartPostsNothing()
    {
        var storage = new InMemoryStorage();
        var first = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], storage: storage);
        Scenario.ResponseDelay = TimeSpan.FromSeconds(2);
        var call = await first.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForRequestsAsync(_ => Scenario.PendingRequestCount > 0, Await.DefaultTimeout);

        // What SIGTERM does to a host: a graceful stop, while the terminal post waits for Scenario's answer.
        await first.DisposeAsync();
        Scenario.ResponseDelay = TimeSpan.Zero;

        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        Assert.Equal("Succeeded", storage.StateOf(call.JobId!));

        // The next start on the same storage finds the task reported and its job finished: nothing is posted again.
        await using var second = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], storage: storage);
        var records = second.Services.GetRequiredService<ITaskStore>();
        Assert.True((await records.FindAsync(call.TaskInstanceId))!.IsReported);
        Assert.Single(Scenario.Requests, r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class SlowScenarioTests_InMemoryStore() : SlowScenarioTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class SlowScenarioTests_PostgreSqlStore() : SlowScenarioTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class SlowScenarioTests_HangfireStore() : SlowScenarioTests(TaskStoreUnderTest.Hangfire);
