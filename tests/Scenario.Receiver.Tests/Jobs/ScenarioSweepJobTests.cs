using Hangfire;
using Hangfire.InMemory;
using Hangfire.States;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// The sweeper finds accepted tasks that nothing will report any more (the work job failed or deleted by
/// hand, with or without an outcome) and reports each once. The tasks' endpoint sends its work to a queue
/// no server listens to, so the job waits, Enqueued, for the test to end it by hand.
/// </summary>
public abstract class ScenarioSweepJobTests(TaskStoreUnderTest store) : StandInTest
{
    private const string ParkedPath = "/tasks/parked";

    private static readonly Dictionary<string, string?> FastSweep = new() { ["Scenario:SweepInterval"] = "00:00:01" };

    /// <summary>No report server: report jobs wait Enqueued on their queue, as the tasks' work does on theirs.</summary>
    private static readonly Dictionary<string, string?> FastSweepParkedReports = new(FastSweep) { ["Scenario:Reporting:Workers"] = "0" };

    private Task<ReceiverTestHost> StartHostAsync(JobStorage? storage = null, Dictionary<string, string?>? settings = null)
        => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(TaskWorkController)],
            settings ?? FastSweep,
            storage: storage,
            map: app => app.MapPost(ParkedPath, () => Results.Ok(new { done = true })).WithScenarioLongRunning(queue: "parked"));

    /// <summary>Sweeps that succeed after this point: the task is past one sweep at least, and more can be awaited.</summary>
    private static Func<long> SweepsFrom(ReceiverTestHost host)
    {
        var monitoring = host.Storage.GetMonitoringApi();
        var start = monitoring.SucceededListCount();
        return () => monitoring.SucceededListCount() - start;
    }

    [Fact]
    public async Task WorkJobFailedByHand_WithoutOutcome_IsSweptAndReportedErrorOnce()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);

        host.Services.GetRequiredService<IBackgroundJobClient>()
            .FailAfterItsRetries(host.Storage, call.JobId!, new InvalidOperationException("Failed by hand"), EnqueuedState.StateName);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Equal("Error", status.Status);
        Assert.Equal("500", status.OutputValues["statusCode"]);
        Assert.Equal("The work job ended Failed without an outcome: Failed by hand", status.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        var warning = Assert.Single(host.Logs.Lines, l => l.EventId == 1701);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            $"Scenario task {call.TaskInstanceId} has no terminal status and its work job {call.JobId} is Failed with nothing left to report it (failed: Failed by hand); the sweeper reports it now",
            warning.Message);
    }

    [Fact]
    public async Task WorkJobDeletedByHand_WithOutcome_IsSweptAndItsOutcomeReportedOnce()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        var outcome = TaskOutcome.Completed(201, new Dictionary<string, string> { ["portfolio"] = "EQ-9" });
        // As if the work had stored its outcome and the process had died before the post.
        await host.Services.GetRequiredService<ITaskStore>()
            .TryDecideAsync(call.TaskInstanceId, outcome, TaskDecider.Work);

        host.Services.GetRequiredService<IBackgroundJobClient>().Delete(call.JobId!);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Equal("Completed", status.Status);
        Assert.Equal("201", status.OutputValues["statusCode"]);
        Assert.Equal("EQ-9", status.OutputValues["portfolio"]);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1701 && l.Level == LogLevel.Warning && l.Message.Contains(call.TaskInstanceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkJobDeletedByHand_WithoutOutcome_IsLeftToItsReportJob()
    {
        await using var host = await StartHostAsync(settings: FastSweepParkedReports);
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);

        // Its deletion creates a report job, on the report queue, where it waits like the work did.
        host.Services.GetRequiredService<IBackgroundJobClient>().Delete(call.JobId!);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two sweeps ran");

        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1701);
    }

    [Fact]
    public async Task WorkJobAndItsReportJobDeletedByHand_WithoutOutcome_IsSweptAndReportedCancelledOnce()
    {
        await using var host = await StartHostAsync(settings: FastSweepParkedReports);
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();
        var records = host.Services.GetRequiredService<ITaskStore>();
        jobs.Delete(call.JobId!);
        await Await.UntilAsync(async () => (await records.FindAsync(call.TaskInstanceId))?.ReportJobId is not null, "the deletion created a report job");

        jobs.Delete((await records.FindAsync(call.TaskInstanceId))!.ReportJobId!);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Equal("The work was cancelled: its background job was deleted before it finished.", status.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(0, (await records.CountWaitingAsync()).Unreported);
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1701 && l.Message.Contains(call.TaskInstanceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkJobFailedWithOutcome_AsWhenTheStorageBlinkedDuringItsDelivery_IsSweptAndItsOutcomeReportedOnce()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        var outcome = TaskOutcome.Completed(200, new Dictionary<string, string> { ["portfolio"] = "EQ-3" });
        await host.Services.GetRequiredService<ITaskStore>()
            .TryDecideAsync(call.TaskInstanceId, outcome, TaskDecider.Work);

        host.Services.GetRequiredService<IBackgroundJobClient>()
            .FailAfterItsRetries(host.Storage, call.JobId!, new InvalidOperationException("The job storage cannot be reached."), EnqueuedState.StateName);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Equal("Completed", status.Status);
        Assert.Equal("EQ-3", status.OutputValues["portfolio"]);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task ReportJobFailedByAStorageError_IsSweptAndReportedOnce_ButARefusedOneWaitsForItsRequeue()
    {
        await using var host = await StartHostAsync(settings: new()
        {
            ["Scenario:SweepInterval"] = "00:00:01",
            ["Scenario:Reporting:RetryDelays:0"] = "01:00:00",
        });
        var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();
        var records = host.Services.GetRequiredService<ITaskStore>();
        Scenario.FailAll(503);
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        jobs.FailAfterItsRetries(host.Storage, call.JobId!, new InvalidOperationException("Failed by hand"), EnqueuedState.StateName);
        await Await.UntilAsync(async () => (await records.FindAsync(call.TaskInstanceId))?.ReportJobId is not null, "the sweeper's post failed and a report job took over");
        var reportJobId = (await records.FindAsync(call.TaskInstanceId))!.ReportJobId!;

        // Refused: the report job waits, Failed, for an operator; the sweeper leaves it alone.
        jobs.ChangeState(reportJobId, new FailedState(new ScenarioDeliveryException("Scenario refused the status.")), ScheduledState.StateName);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two sweeps ran");
        Scenario.FailAll(null);
        Assert.Equal(1, host.Logs.Lines.Count(l => l.EventId == 1701));

        // Failed by the storage: nothing will report the task, so the sweeper does.
        jobs.FailAfterItsRetries(host.Storage, reportJobId, new InvalidOperationException("The job storage cannot be reached."), FailedState.StateName);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Equal("The work job ended Failed without an outcome: Failed by hand", status.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task WorkJobStillQueued_IsNotSwept()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);

        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two sweeps ran");

        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1701);
        Assert.Equal(1, (await host.Services.GetRequiredService<ITaskStore>().CountWaitingAsync()).Unreported);
    }

    [Fact]
    public async Task WorkJobSucceededWithoutReport_WhenDeferred_IsNotSwept()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        await using (var locked = await host.Services.GetRequiredService<ITaskStore>().LockForDecideAsync(call.TaskInstanceId))
        {
            // What explicit completion leaves in the record: the task waits for someone to complete it.
            await locked.WriteDeferredAsync(DateTimeOffset.UtcNow.AddHours(1), deadlineJobId: "none", firstCancellationCheckAt: null);
        }

        host.Services.GetRequiredService<IBackgroundJobClient>().ChangeState(call.JobId!, new SucceededState(null, 0, 0), EnqueuedState.StateName);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two sweeps ran");

        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1701);
    }

    [Fact]
    public async Task WorkJobFailed_AmongThousandsOfHealthyTasks_IsFoundWithinAnInterval_AndNoHealthyTaskIsLookedAt()
    {
        const int Healthy = 3000;
        SweepCountingStore? counting = null;
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(TaskWorkController)],
            FastSweep,
            configure: builder => DelegatingTaskStore.Decorate(builder.Services, inner => counting = new SweepCountingStore(inner)),
            map: app => app.MapPost(ParkedPath, () => Results.Ok(new { done = true })).WithScenarioLongRunning(queue: "parked"));
        var records = host.Services.GetRequiredService<ITaskStore>();

        // Thousands of healthy pending tasks, as accepts leave them: each waits for its work job, a real one, Enqueued.
        var parked = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Healthy; i++)
        {
            var id = TestData.NewTaskId();
            healthy.Add(id);
            await records.AcceptAsync(id, "entry", null, null, "parked", () => ValueTask.FromResult(parked.JobId!));
        }

        var call = await host.RestCall.PostAsync(ParkedPath, TestData.ValidBody);
        var sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two sweeps ran with every task pending");
        counting!.Reset();
        var failedAt = DateTimeOffset.UtcNow;
        host.Services.GetRequiredService<IBackgroundJobClient>()
            .FailAfterItsRetries(host.Storage, call.JobId!, new InvalidOperationException("Failed by hand"), EnqueuedState.StateName);

        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        sweeps = SweepsFrom(host);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Equal("The work job ended Failed without an outcome: Failed by hand", status.Message);
        // One interval (1 s), the moment a store outside Hangfire's storage waits for the job's state to be committed, and
        // a margin for a busy two-core machine.
        Assert.True(Scenario.StatusesFor(call.TaskInstanceId)[0].ReceivedAt - failedAt < TimeSpan.FromSeconds(1) + TaskLocks.StateChangeCommitGrace + TimeSpan.FromSeconds(5));
        Assert.Equal([call.TaskInstanceId], counting.DueAnswered.Distinct());
        Assert.DoesNotContain(counting.Found, healthy.Contains);
        Assert.Empty(Scenario.StatusesFor(parked.TaskInstanceId));
        Assert.Equal(Healthy + 1, (await records.CountWaitingAsync()).Unreported);
    }

    /// <summary>Counts what the sweeps read: the due tasks the store answered, and the records found.</summary>
    private sealed class SweepCountingStore(ITaskStore inner) : DelegatingTaskStore(inner)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _due = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _found = new();

        public IReadOnlyCollection<string> DueAnswered => [.. _due];

        public IReadOnlyCollection<string> Found => [.. _found];

        public void Reset()
        {
            _due.Clear();
            _found.Clear();
        }

        public override async ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        {
            var due = await base.DueForSweepAsync(now, max, cancellationToken);
            foreach (var id in due)
            {
                _due.Enqueue(id);
            }

            return due;
        }

        public override ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        {
            _found.Enqueue(taskInstanceId);
            return base.FindAsync(taskInstanceId, cancellationToken);
        }
    }

    [Fact]
    public async Task SweeperOnTwoHostsAtOnce_ReportsTheTaskOnce()
    {
        var storage = new InMemoryStorage();
        await using var first = await StartHostAsync(storage);
        await using var second = await StartHostAsync(storage);
        var call = await first.RestCall.PostAsync(ParkedPath, TestData.ValidBody);

        first.Services.GetRequiredService<IBackgroundJobClient>()
            .FailAfterItsRetries(first.Storage, call.JobId!, new InvalidOperationException("Failed by hand"), EnqueuedState.StateName);
        // Besides the recurring job (which either host's server may run), both hosts sweep at the same moment.
        await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<ScenarioSweepJob>().SweepAsync(CancellationToken.None)),
            Task.Run(() => second.Services.GetRequiredService<ScenarioSweepJob>().SweepAsync(CancellationToken.None)));
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var sweeps = SweepsFrom(first);
        await Await.UntilAsync(() => sweeps() >= 2, "two more sweeps ran");

        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioSweepJobTests_InMemoryStore() : ScenarioSweepJobTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioSweepJobTests_PostgreSqlStore() : ScenarioSweepJobTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioSweepJobTests_HangfireStore() : ScenarioSweepJobTests(TaskStoreUnderTest.Hangfire);
