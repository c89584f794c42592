using System.Net;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// Two receiver instances on one shared job storage, as behind a load balancer: each with its own Hangfire storage
/// object, job client and server, sharing nothing but the database (PostgreSQL, <see cref="SharedPostgreSqlStorageTests"/>)
/// or the server (Redis, <see cref="SharedStorageTests_HangfireStoreOnRedis"/>).
/// </summary>
public abstract class SharedStorageTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<ReceiverTestHost> _hosts = [];
    private ScenarioStandIn? _scenario;

    /// <summary>Why the storage's server is missing (the test skips), or null when it runs.</summary>
    protected abstract string? UnavailableReason { get; }

    /// <summary>Makes the storage of the test's own (a database, a key prefix) that its instances share.</summary>
    protected abstract Task PrepareSharedStorageAsync();

    /// <summary>One instance's own storage object on the shared storage.</summary>
    protected abstract Task<JobStorage> CreateInstanceStorageAsync();

    /// <summary>The tasks' jobs in the shared storage: the sweeper's recurring job, which may run whenever a minute turns, is not one of them.</summary>
    protected abstract Task<long> CountJobsAsync();

    protected virtual Task DisposeSharedStorageAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        if (UnavailableReason is not null)
        {
            return;
        }

        _scenario = await ScenarioStandIn.StartAsync();
        await PrepareSharedStorageAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }

        await DisposeSharedStorageAsync();
    }

    protected ScenarioStandIn Scenario => _scenario!;

    protected async Task<ReceiverTestHost> StartInstanceAsync(bool runHangfireServer = true, Dictionary<string, string?>? settings = null)
    {
        var host = await ReceiverTestHost.StartAsync(
            store,
            _scenario!,
            [typeof(TaskWorkController)],
            settings,
            runHangfireServer,
            storage: await CreateInstanceStorageAsync(),
            map: app => app.MapScenarioTaskStatus());
        _hosts.Add(host);
        return host;
    }

    protected void SkipWithoutServer() => Skip.If(UnavailableReason is not null, UnavailableReason);

    [SkippableFact]
    public async Task TwentyTasksSentToEitherInstance_AreEachWorkedOnceAndReportedOnce()
    {
        SkipWithoutServer();
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();

        // One after the other, A and B in turn, while the work of the earlier ones runs on both: a burst of 20 at once
        // is another matter on the generic store (Hangfire's storage API blocks a pool thread per call; README).
        var calls = new List<RestCallResponse>();
        for (var i = 0; i < 20; i++)
        {
            calls.Add(await (i % 2 == 0 ? a : b).RestCall.PostAsync("/tasks/ok", TestData.ValidBody));
        }

        Assert.All(calls, call => Assert.True(call.StatusCode == HttpStatusCode.Accepted, $"{call.StatusCode}: {call.Body}"));
        var taskIds = calls.Select(call => call.TaskInstanceId).ToArray();
        Assert.Equal(20, taskIds.Distinct().Count());
        await _scenario!.WaitForStatusesAsync(statuses => taskIds.All(id => statuses.Any(s => s.IsTerminal && s.TaskInstanceId == id)), Timeout);
        foreach (var call in calls)
        {
            var status = Assert.Single(_scenario.StatusesFor(call.TaskInstanceId));
            Assert.Equal("Completed", status.Status);
            Assert.Equal(1, a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId));
        }

        Assert.Equal(20, await CountJobsAsync());
    }

    [SkippableFact]
    public async Task TwentyDuplicateRestCallsAtOnceThroughBothInstances_MakeOneJobAndOneTerminalStatus()
    {
        SkipWithoutServer();
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        var taskId = TestData.NewTaskId();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? a : b).RestCall.PostAsync("/tasks/ok", TestData.ValidBody, taskId)));

        Assert.All(answers, answer => Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"{answer.StatusCode}: {answer.Body}"));
        Assert.NotNull(answers[0].JobId);
        Assert.All(answers, answer => Assert.Equal(answers[0].JobId, answer.JobId));
        await _scenario!.WaitForTerminalStatusAsync(taskId, Timeout);
        await Await.UntilAsync(() => a.Storage.StateOf(answers[0].JobId!) == "Succeeded", "the work job succeeded", Timeout);
        Assert.Single(_scenario.StatusesFor(taskId));
        Assert.Equal(1, a.Probe.CountFor(taskId) + b.Probe.CountFor(taskId));
        Assert.Equal(1, await CountJobsAsync());
    }

    [SkippableFact]
    public async Task TaskAcceptedByAnInstanceWithoutServer_IsWorkedAndReportedByTheOther()
    {
        SkipWithoutServer();
        var front = await StartInstanceAsync(runHangfireServer: false);
        var worker = await StartInstanceAsync();

        var response = await front.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await _scenario!.WaitForTerminalStatusAsync(response.TaskInstanceId, Timeout);
        Assert.Equal("Completed", status.Status);
        Assert.Equal("EQ-1", status.OutputValues["portfolio"]);
        Assert.Single(_scenario.StatusesFor(response.TaskInstanceId));
        Assert.Equal(0, front.Probe.CountFor(response.TaskInstanceId));
        Assert.Equal(1, worker.Probe.CountFor(response.TaskInstanceId));
        // Awaited: the work job reports before it ends, so Scenario has the status a moment before the job's final state is stored.
        await Await.UntilAsync(() => worker.Storage.StateOf(response.JobId!) == "Succeeded", "the work job succeeded", Timeout);
    }

    [SkippableFact]
    public async Task SameTaskIdSentToBothInstancesAtOnce_MakesOneJobAndOneTerminalStatusPerTask()
    {
        SkipWithoutServer();
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        var taskIds = Enumerable.Range(0, 10).Select(_ => TestData.NewTaskId()).ToArray();

        foreach (var taskId in taskIds)
        {
            var answers = await Task.WhenAll(
                a.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, taskId),
                b.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, taskId));

            Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode));
            Assert.NotNull(answers[0].JobId);
            Assert.Equal(answers[0].JobId, answers[1].JobId);
        }

        await _scenario!.WaitForStatusesAsync(statuses => taskIds.All(id => statuses.Any(s => s.IsTerminal && s.TaskInstanceId == id)), Timeout);
        foreach (var taskId in taskIds)
        {
            Assert.Single(_scenario.StatusesFor(taskId));
            Assert.Equal(1, a.Probe.CountFor(taskId) + b.Probe.CountFor(taskId));
        }

        // One job per task, nothing else: the work job, which also reported.
        Assert.Equal(taskIds.Length, await CountJobsAsync());
    }

    [SkippableFact]
    public async Task ScenarioDownWhileTwoInstancesWork_ReportsEveryTaskOnceWhenItIsBack()
    {
        SkipWithoutServer();
        var settings = new Dictionary<string, string?> { ["Scenario:Reporting:RetryDelays:0"] = "00:00:01" };
        var a = await StartInstanceAsync(settings: settings);
        var b = await StartInstanceAsync(settings: settings);
        _scenario!.FailAll(503);

        var taskIds = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var response = await (i % 2 == 0 ? a : b).RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            taskIds.Add(response.TaskInstanceId);
        }

        // Every task's status refused at least twice: the report jobs are retrying, not lost.
        await _scenario.WaitForRequestsAsync(
            requests => taskIds.All(id => requests.Count(r => r.AnsweredStatusCode == 503 && r.Body.Contains(id, StringComparison.Ordinal)) >= 2),
            Timeout);
        Assert.Empty(_scenario.Statuses);

        _scenario.FailAll(null);

        await _scenario.WaitForStatusesAsync(statuses => taskIds.All(id => statuses.Any(s => s.IsTerminal && s.TaskInstanceId == id)), Timeout);
        // Every retry that was already due has run once more by the time each report job ends; none posts again.
        await Await.UntilAsync(() => AllReportJobsSucceeded(a, taskIds), "every report job succeeded", Timeout);
        foreach (var taskId in taskIds)
        {
            var status = Assert.Single(_scenario.StatusesFor(taskId));
            Assert.Equal("Completed", status.Status);
            Assert.Equal(1, a.Probe.CountFor(taskId) + b.Probe.CountFor(taskId));
        }
    }

    [SkippableFact]
    public async Task TaskStatusEndpoint_AskedOfEitherInstance_GivesTheSameAnswer()
    {
        SkipWithoutServer();
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync(runHangfireServer: false);

        var blocked = await b.RestCall.PostAsync("/tasks/blocked", null);
        Assert.Equal(HttpStatusCode.Accepted, blocked.StatusCode);
        await Await.UntilAsync(() => a.Probe.CountFor(blocked.TaskInstanceId) == 1, "the blocked task runs on A", Timeout);

        var runningOnA = await StatusAsync(a, blocked.TaskInstanceId);
        var runningOnB = await StatusAsync(b, blocked.TaskInstanceId);
        Assert.Equal(runningOnA, runningOnB);
        Assert.Equal(blocked.JobId, Field(runningOnB, "jobId").GetString());
        Assert.Equal("Processing", Field(runningOnB, "state").GetString());
        Assert.Equal(JsonValueKind.Null, Field(runningOnB, "reportedStatus").ValueKind);

        a.Probe.Gate.SetResult();
        await _scenario!.WaitForTerminalStatusAsync(blocked.TaskInstanceId, Timeout);
        await Await.UntilAsync(async () => (await b.Services.GetRequiredService<ITaskStore>().FindAsync(blocked.TaskInstanceId))?.IsReported == true, "the task's record says reported", Timeout);
        await Await.UntilAsync(() => b.Storage.StateOf(blocked.JobId!) == "Succeeded", "the work job succeeded", Timeout);

        var doneOnA = await StatusAsync(a, blocked.TaskInstanceId);
        var doneOnB = await StatusAsync(b, blocked.TaskInstanceId);
        Assert.Equal(doneOnA, doneOnB);
        Assert.Equal("Succeeded", Field(doneOnB, "state").GetString());
        Assert.Equal("Completed", Field(doneOnB, "reportedStatus").GetString());

        var unknown = TestData.NewTaskId();
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.GetAsync(new Uri($"/scenario/tasks/{unknown}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync(new Uri($"/scenario/tasks/{unknown}", UriKind.Relative))).StatusCode);
    }

    [SkippableFact]
    public async Task UndeliveredStatuses_CountedThroughEitherInstance_AreTheSame()
    {
        SkipWithoutServer();
        var settings = new Dictionary<string, string?> { ["Scenario:Reporting:RetryDelays:0"] = "00:00:01" };
        var a = await StartInstanceAsync(settings: settings);
        var b = await StartInstanceAsync(runHangfireServer: false, settings: settings);
        var recordsOfA = a.Services.GetRequiredService<ITaskStore>();
        var recordsOfB = b.Services.GetRequiredService<ITaskStore>();
        _scenario!.FailAll(503);

        var first = await b.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var second = await b.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await _scenario.WaitForRequestsAsync(
            requests => new[] { first, second }.All(call => requests.Any(r => r.AnsweredStatusCode == 503 && r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal))),
            Timeout);
        await Await.UntilAsync(async () => (await recordsOfB.CountWaitingAsync()).Undelivered == 2, "B counts two undelivered statuses", Timeout);
        Assert.Equal(2, (await recordsOfA.CountWaitingAsync()).Undelivered);

        _scenario.FailAll(null);
        await _scenario.WaitForStatusesAsync(statuses => statuses.Count(s => s.IsTerminal) == 2, Timeout);
        await Await.UntilAsync(async () => (await recordsOfB.CountWaitingAsync()).Undelivered == 0, "B counts none undelivered", Timeout);
        Assert.Equal(0, (await recordsOfA.CountWaitingAsync()).Undelivered);
    }

    [SkippableFact]
    public async Task InstanceShutDownMidWork_HandsTheJobToTheOtherAtOnceAndItIsReportedOnce()
    {
        SkipWithoutServer();
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();

        var call = await a.RestCall.PostAsync("/tasks/blocked", null);
        await Await.UntilAsync(() => a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId) == 1, "the work runs", Timeout);
        var (runner, other) = a.Probe.CountFor(call.TaskInstanceId) == 1 ? (a, b) : (b, a);
        other.Probe.Gate.SetResult();

        // A graceful stop cancels the work and puts the job back in the queue, without waiting for the
        // invisibility timeout; the other instance runs it again.
        _hosts.Remove(runner);
        await runner.DisposeAsync();

        var status = await _scenario!.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        Assert.Equal("Completed", status.Status);
        Assert.Single(_scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(1, other.Probe.CountFor(call.TaskInstanceId));
    }

    [SkippableFact]
    public async Task WorkJobDeletedThroughTheOtherInstance_IsCancelledWhereItRunsAndReportedOnce()
    {
        SkipWithoutServer();
        var front = await StartInstanceAsync(runHangfireServer: false);
        var worker = await StartInstanceAsync();

        var call = await front.RestCall.PostAsync("/tasks/blocked", null);
        await Await.UntilAsync(() => worker.Probe.CountFor(call.TaskInstanceId) == 1, "the work runs on the worker", Timeout);

        // What the dashboard's Delete button does, on an instance that does not run the job.
        Assert.True(front.Services.GetRequiredService<IBackgroundJobClient>().Delete(call.JobId!));

        var status = await _scenario!.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        Assert.Equal("Error", status.Status);
        Assert.Equal("The work was cancelled: its background job was deleted before it finished.", status.Message);
        Assert.Single(_scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(1, worker.Probe.CountFor(call.TaskInstanceId));
    }

    [SkippableFact]
    public async Task TaskAccepted_OneJobWorksAndReportsIt()
    {
        SkipWithoutServer();
        var instance = await StartInstanceAsync();

        var call = await instance.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await _scenario!.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        await Await.UntilAsync(() => instance.Storage.StateOf(call.JobId!) == "Succeeded", "the work job succeeded", Timeout);

        var work = instance.Storage.GetMonitoringApi().JobDetails(call.JobId!);
        Assert.Equal(["Enqueued", "Processing", "Succeeded"], work.History.OrderBy(h => h.CreatedAt).Select(h => h.StateName));
        Assert.Null((await instance.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))!.ReportJobId);
        Assert.Equal(1, await CountJobsAsync());
    }

    /// <summary>The endpoint's answer as text, so two instances' answers compare exactly.</summary>
    private static async Task<string> StatusAsync(ReceiverTestHost host, string taskInstanceId)
    {
        using var response = await host.Client.GetAsync(new Uri($"/scenario/tasks/{taskInstanceId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static JsonElement Field(string json, string name)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty(name).Clone();
    }

    private static bool AllReportJobsSucceeded(ReceiverTestHost host, IEnumerable<string> taskIds)
    {
        var monitoring = host.Storage.GetMonitoringApi();
        return monitoring.ScheduledCount() == 0 && monitoring.ProcessingCount() == 0
            && monitoring.EnqueuedCount("default") == 0 && monitoring.EnqueuedCount(ScenarioReportingOptions.ReportQueue) == 0
            // The sweeper's recurring job, which can run at any minute's turn, is not one of the tasks' jobs.
            && monitoring.SucceededJobs(0, int.MaxValue).Count(j => j.Value.Job?.Type != typeof(ScenarioSweepJob)) == 2 * taskIds.Count();
    }
}
