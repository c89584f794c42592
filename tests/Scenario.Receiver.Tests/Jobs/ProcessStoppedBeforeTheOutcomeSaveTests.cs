using Hangfire.InMemory;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// The process goes between the end of the work and the save of its outcome: the job runs again on the next
/// start, and Scenario receives one terminal status. The first host's task store does not answer the work's save
/// (it holds the write until the host stops, as a storage that hangs would), which keeps the host exactly in that
/// window; no hook in the receiver's code is needed for it.
/// </summary>
public abstract class ProcessStoppedBeforeTheOutcomeSaveTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task HostStoppedBetweenTheWorkAndTheSave_NextStartRunsTheWorkAgainAndReportsOnce()
    {
        var storage = new InMemoryStorage();
        var window = new HeldWindow();
        var first = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [typeof(TaskWorkController)], storage: storage,
            configure: builder => DelegatingTaskStore.Decorate(builder.Services, inner => new SaveNotAnswered(inner, window)));

        var call = await first.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await window.Reached.Task.WaitAsync(Await.DefaultTimeout);
        Assert.Equal(1, first.Probe.CountFor(call.TaskInstanceId));

        // The process goes with the work done and its outcome not saved: nothing reached Scenario.
        await first.DisposeAsync();
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.DoesNotContain(storage.StateOf(call.JobId!), new[] { "Succeeded", "Deleted" });

        await using var second = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], storage: storage);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        // The work ran again (at least once is the promise), and its second run's outcome is the one reported.
        Assert.Equal(1, second.Probe.CountFor(call.TaskInstanceId));
        await Await.UntilAsync(() => storage.StateOf(call.JobId!) == "Succeeded", "the work job succeeds on the second start");
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
    }

    private sealed class HeldWindow
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A store that never answers the work's save: the job waits in the window until the host stops (the job's token fires).</summary>
    private sealed class SaveNotAnswered(ITaskStore inner, HeldWindow window) : DelegatingTaskStore(inner)
    {
        public override async ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default)
        {
            if (decidedBy != TaskDecider.Work)
            {
                return await base.TryDecideAsync(taskInstanceId, outcome, decidedBy, cancellationToken);
            }

            window.Reached.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new OperationCanceledException(cancellationToken);
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ProcessStoppedBeforeTheOutcomeSaveTests_InMemoryStore() : ProcessStoppedBeforeTheOutcomeSaveTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ProcessStoppedBeforeTheOutcomeSaveTests_PostgreSqlStore() : ProcessStoppedBeforeTheOutcomeSaveTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ProcessStoppedBeforeTheOutcomeSaveTests_HangfireStore() : ProcessStoppedBeforeTheOutcomeSaveTests(TaskStoreUnderTest.Hangfire);
