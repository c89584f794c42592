using System.Globalization;
using System.Net;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// Two receiver instances on one PostgreSQL job storage, as behind a load balancer: each with its own
/// Hangfire storage object, job client and server, sharing nothing but the database.
/// </summary>
public abstract class SharedStorageTests(TaskStoreUnderTest store, SharedPostgresServer postgres) : IClassFixture<SharedPostgresServer>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<ReceiverTestHost> _hosts = [];
    private ScenarioStandIn? _scenario;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        if (!postgres.IsAvailable)
        {
            return;
        }

        _scenario = await ScenarioStandIn.StartAsync();
        _database = await postgres.CreateDatabaseAsync();
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
    }

    private async Task<ReceiverTestHost> StartInstanceAsync(bool runHangfireServer = true, Dictionary<string, string?>? settings = null)
    {
        var host = await ReceiverTestHost.StartAsync(
            store,
            _scenario!,
            [typeof(TaskWorkController)],
            settings,
            runHangfireServer,
            storage: ScaleOutStorage.Create(_database),
            map: app => app.MapScenarioTaskStatus());
        _hosts.Add(host);
        return host;
    }

    /// <summary>The tasks' jobs: the sweeper's recurring job, which may run whenever a minute turns, is not one of them.</summary>
    private Task<long> CountJobsAsync()
        => PostgresServer.ScalarAsync(_database, """SELECT count(*) FROM "hangfire"."job" WHERE "invocationdata"::text NOT LIKE '%ScenarioSweepJob%'""");

    [SkippableFact]
    public async Task TaskAcceptedByAnInstanceWithoutServer_IsWorkedAndReportedByTheOther()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
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
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
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
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var settings = new Dictionary<string, string?> { ["Scenario:Reporting:RetryDelaysSeconds:0"] = "1" };
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
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
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
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var settings = new Dictionary<string, string?> { ["Scenario:Reporting:RetryDelaysSeconds:0"] = "1" };
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
    public async Task LiveJobRunningLongerThanTheInvisibilityTimeout_IsNotTakenOverByTheOtherInstance()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();

        var call = await a.RestCall.PostAsync("/tasks/blocked", null);
        await Await.UntilAsync(() => a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId) == 1, "the work runs", Timeout);
        var claimedAt = await FetchedAtAsync(call.JobId!);
        Assert.NotNull(claimedAt);

        // The sliding timeout renews the claim while the job runs. Once it has been renewed to beyond the moment
        // the first claim would have expired, both instances have polled the queue many times past that moment.
        var expiredBy = claimedAt.Value + ScaleOutStorage.InvisibilityTimeout + TimeSpan.FromSeconds(1);
        await Await.UntilAsync(
            async () => await FetchedAtAsync(call.JobId!) is not { } renewed || renewed >= expiredBy,
            "the claim on the running job is renewed past the moment the first claim would have expired",
            Timeout);

        Assert.Equal(1, a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId));
        a.Probe.Gate.SetResult();
        b.Probe.Gate.SetResult();
        await _scenario!.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        Assert.Single(_scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(1, a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId));
    }

    [SkippableFact]
    public async Task InstanceShutDownMidWork_HandsTheJobToTheOtherAtOnceAndItIsReportedOnce()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
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
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
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
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var instance = await StartInstanceAsync();

        var call = await instance.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await _scenario!.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        await Await.UntilAsync(() => instance.Storage.StateOf(call.JobId!) == "Succeeded", "the work job succeeded", Timeout);

        var work = instance.Storage.GetMonitoringApi().JobDetails(call.JobId!);
        Assert.Equal(["Enqueued", "Processing", "Succeeded"], work.History.OrderBy(h => h.CreatedAt).Select(h => h.StateName));
        Assert.Null((await instance.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))!.ReportJobId);
        Assert.Equal(1, await CountJobsAsync());
    }

    /// <summary>When the job's queue entry was last claimed by a worker, by the database's clock; null once it left the queue.</summary>
    private async Task<DateTime?> FetchedAtAsync(string jobId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "fetchedat" FROM "hangfire"."jobqueue" WHERE "jobid" = @jobId""", connection);
        command.Parameters.AddWithValue("jobId", long.Parse(jobId, CultureInfo.InvariantCulture));
        return await command.ExecuteScalarAsync() is DateTime fetchedAt ? fetchedAt : null;
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

// Not on the in-memory store: its tasks are one process's, and a host on Hangfire's PostgreSQL storage never chooses it.
[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class SharedStorageTests_PostgreSqlStore(SharedPostgresServer postgres) : SharedStorageTests(TaskStoreUnderTest.PostgreSql, postgres);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class SharedStorageTests_HangfireStore(SharedPostgresServer postgres) : SharedStorageTests(TaskStoreUnderTest.Hangfire, postgres);
