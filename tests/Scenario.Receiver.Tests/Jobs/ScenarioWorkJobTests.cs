using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>Time limits, cancellation and shutdown of the work.</summary>
public abstract class ScenarioWorkJobTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task WorkPastItsTimeout_IsCancelledAndReportsOneErrorTimedOut()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);

        var call = await host.RestCall.PostAsync("/tasks/slow", null);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Error", status.Status);
        Assert.Equal("504", status.OutputValues["statusCode"]);
        Assert.Equal("The work timed out after 1 s and was cancelled.", status.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        // The work job reports before it ends: its final state is stored a moment after Scenario has the status.
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Deleted", "the work job is Deleted");
    }

    [Fact]
    public async Task DefaultTimeoutOption_AppliesToActionsWithoutTheirOwn()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], new() { ["Scenario:DefaultTimeout"] = "00:00:00.500" });

        var call = await host.RestCall.PostAsync("/tasks/blocked", null);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("The work timed out after 0.5 s and was cancelled.", status.Message);
    }

    [Fact]
    public async Task WorkJobDeletedFromTheDashboard_ReportsOneErrorSayingItWasCancelled()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var call = await host.RestCall.PostAsync("/tasks/blocked", null);

        // The work itself has started, not only its job: a job deleted while Processing but before the work job reads the
        // task's record finds the deletion's outcome there and never runs the work (one Error all the same), which a
        // loaded CI machine showed once as no 1204 below.
        await Await.UntilAsync(() => host.Probe.CountFor(call.TaskInstanceId) >= 1, "the work is running");

        host.Services.GetRequiredService<IBackgroundJobClient>().Delete(call.JobId!);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(() => host.Logs.Lines.Any(l => l.EventId == 1204), "the work noticed the deletion");

        Assert.Equal("Error", status.Status);
        Assert.Equal("The work was cancelled: its background job was deleted before it finished.", status.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task ServerShutdownMidWork_ReportsNothingAndTheJobCompletesOnTheNextServer()
    {
        var storage = new InMemoryStorage();
        var first = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], storage: storage);
        var call = await first.RestCall.PostAsync("/tasks/blocked", null);
        await Await.UntilAsync(() => first.Probe.CountFor(call.TaskInstanceId) == 1, "the work is running");

        await first.DisposeAsync();
        Assert.Contains(first.Logs.Lines, l => l.EventId == 1204);
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));

        await using var second = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], storage: storage);
        second.Probe.Gate.SetResult();
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal("true", status.OutputValues["released"]);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task WorkJobStartingBeforeItsAcceptRecordedIt_WaitsForTheRecordAndRunsWithTheTasksFacts()
    {
        SlowToRecordStore? slow = null;
        await using var host = await ReceiverTestHost.StartAsync(
            store, Scenario, [typeof(TaskWorkController)],
            configure: builder => DelegatingTaskStore.Decorate(builder.Services, inner => slow = new SlowToRecordStore(inner)));

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, workflowInstanceId: "wf-recorded-late");
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.True(slow!.WorkStartedBeforeTheRecord.Task.IsCompletedSuccessfully, "The work job did not start before its accept recorded it.");
        Assert.Equal("Completed", status.Status);
        var invocation = Assert.Single(host.Probe.Invocations, i => i.TaskInstanceId == call.TaskInstanceId);
        Assert.Equal("wf-recorded-late", invocation.WorkflowInstanceId);
    }

    /// <summary>
    /// Records an accept only once the work job has looked for the record and found none: the window between the job's
    /// creation (a worker may fetch it at once) and the record's write, held open.
    /// </summary>
    private sealed class SlowToRecordStore(Scenario.Receiver.Tasks.ITaskStore inner) : DelegatingTaskStore(inner)
    {
        public TaskCompletionSource WorkStartedBeforeTheRecord { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask<Scenario.Receiver.Tasks.TaskAcceptance> AcceptAsync(
            string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
            => Inner.AcceptAsync(taskInstanceId, entryKey, workflowInstanceId, statusUrl, queue, async () =>
            {
                var jobId = await createWorkJob();
                await WorkStartedBeforeTheRecord.Task.WaitAsync(Await.DefaultTimeout, cancellationToken);
                return jobId;
            }, cancellationToken);

        public override async ValueTask<Scenario.Receiver.Tasks.TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        {
            var record = await Inner.FindAsync(taskInstanceId, cancellationToken);
            if (record is null)
            {
                WorkStartedBeforeTheRecord.TrySetResult();
            }

            return record;
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioWorkJobTests_InMemoryStore() : ScenarioWorkJobTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioWorkJobTests_PostgreSqlStore() : ScenarioWorkJobTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioWorkJobTests_HangfireStore() : ScenarioWorkJobTests(TaskStoreUnderTest.Hangfire);
