using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// What only the PostgreSQL task store has: its table, its claims and its lease. The guarantees it shares with the
/// generic store are the guarantee tests', each run on it by its <c>…_PostgreSqlStore</c> class (<see cref="TaskStoreUnderTest"/>),
/// and by the scale-out tests, whose sample processes keep their tasks in PostgreSQL.
/// </summary>
public sealed class PostgreSqlTaskStoreTests(SharedPostgresServer postgres) : PostgresDatabaseTest(postgres)
{
    [SkippableFact]
    public async Task TwentyIdenticalRestCallsAtOnceAtTwoInstances_MakeOneJobOneRowAndOneTerminalStatus()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        // Two instances on Hangfire storages of their own: only the task table is shared, so only it can dedupe.
        await using var a = await StartHostAsync(useKestrel: true);
        await using var b = await StartHostAsync(useKestrel: true);
        var taskId = TestData.NewTaskId();

        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? a : b).RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId)));
        await Scenario.WaitForTerminalStatusAsync(taskId, Await.DefaultTimeout);

        Assert.All(calls, c => Assert.Equal(HttpStatusCode.Accepted, c.StatusCode));
        Assert.Single(calls.Select(c => c.JobId).Distinct());
        Assert.Equal(1, a.Storage.TotalJobs() + b.Storage.TotalJobs());
        Assert.Equal(1, a.Probe.CountFor(taskId) + b.Probe.CountFor(taskId));
        Assert.Equal(1, await PostgresServer.ScalarAsync(Database, "SELECT count(*) FROM scenario_receiver.task"));
        Assert.Single(Scenario.StatusesFor(taskId));
    }

    [SkippableFact]
    public async Task AcceptWhoseJobCouldNotBeMade_LeavesNoClaim_SoTheRetryIsAcceptedAtOnce()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        // Two instances on one task table; the first one's Hangfire storage is down, so its accept fails after the claim.
        await using var down = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured,
            Scenario, [typeof(TaskWorkController)], TaskStoreSettings(), runHangfireServer: false, storage: new UnreachableStorage());
        await using var up = await StartHostAsync();
        var taskId = TestData.NewTaskId();

        var refused = await down.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var retried = await up.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId);
        clock.Stop();
        await Scenario.WaitForTerminalStatusAsync(taskId, Await.DefaultTimeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Contains(up.Logs.Lines, l => l.EventId == 1101); // accepted as new, not as a duplicate of the failed accept
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The retry waited {clock.Elapsed.TotalSeconds:0.#} s for a claim the failed accept should have rolled back.");
        Assert.Equal(1, up.Probe.CountFor(taskId));
    }

    [SkippableFact]
    public async Task ReportLease_HeldByOneDelivery_KeepsTheNextWaitingUntilTheTaskIsMarkedReported()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        await using var host = await StartHostAsync(runHangfireServer: false);
        var store = host.Services.GetRequiredService<ITaskStore>();
        var taskId = TestData.NewTaskId();
        await store.TryDecideAsync(taskId, TaskOutcome.Completed(200, null), TaskDecider.Work);

        var first = await store.LockForReportAsync(taskId);
        var second = store.LockForReportAsync(taskId).AsTask();
        await Await.UntilAsync(
            async () => await PostgresServer.ScalarAsync(Database, $"SELECT count(*) FROM scenario_receiver.task WHERE task_instance_id = '{taskId}' AND report_lease IS NOT NULL") == 1,
            "the first delivery holds the lease");
        Assert.False(second.IsCompleted, "the second delivery took the lease the first still held");

        await first.WriteReportedAsync("Completed", DateTimeOffset.UtcNow, (_, _, _) => { }, CancellationToken.None);
        await first.DisposeAsync();
        await using var next = await second.WaitAsync(Await.DefaultTimeout);

        Assert.True(next.Read()?.IsReported, "the second delivery sees the task reported, so it posts nothing");
    }

    [SkippableFact]
    public async Task ReportLease_OfAHolderThatDied_ExpiresAndTheNextDeliveryTakesIt()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        await using var host = await StartHostAsync(runHangfireServer: false);
        var store = host.Services.GetRequiredService<ITaskStore>();
        var taskId = TestData.NewTaskId();
        await store.TryDecideAsync(taskId, TaskOutcome.Completed(200, null), TaskDecider.Work);
        // A holder that died: its lease is still in the row, its end has passed.
        await ExecuteAsync($"UPDATE scenario_receiver.task SET report_lease = gen_random_uuid(), report_lease_until = now() - interval '1 second' WHERE task_instance_id = '{taskId}'");

        await using var lease = await store.LockForReportAsync(taskId);

        Assert.NotNull(lease.Read()?.Outcome);
        // Taken over, not free: the dead holder's post may have reached Scenario (Warning 1321 at the next post).
        Assert.True(lease.Read()!.UnfinishedPost);
    }

    [SkippableFact]
    public async Task ReportLease_ReturnedByItsHolder_LeavesNothingUnfinished_AbandonedMidPost_TellsTheNext()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        await using var host = await StartHostAsync(runHangfireServer: false);
        var store = host.Services.GetRequiredService<ITaskStore>();
        var taskId = TestData.NewTaskId();
        await store.TryDecideAsync(taskId, TaskOutcome.Completed(200, null), TaskDecider.Work);

        await using (var answered = await store.LockForReportAsync(taskId))
        {
            await answered.BeginPostAsync();
            answered.PostAnswered();
        }

        bool afterAnsweredPost;
        await using (var next = await store.LockForReportAsync(taskId))
        {
            afterAnsweredPost = next.Read()!.UnfinishedPost;
            await next.BeginPostAsync();
        }

        // Cut off mid-post (no answer): the lease stays in the row, expired, and the next take goes at once.
        await using var afterCutOff = await store.LockForReportAsync(taskId).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(afterAnsweredPost);
        Assert.True(afterCutOff.Read()!.UnfinishedPost);
    }

    [SkippableFact]
    public async Task RecordPastItsRetention_IsRemovedBySweep()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        await using var host = await StartHostAsync(runHangfireServer: false);
        var store = host.Services.GetRequiredService<ITaskStore>();
        var (old, fresh) = (TestData.NewTaskId(), TestData.NewTaskId());
        await store.TryDecideAsync(old, TaskOutcome.Completed(200, null), TaskDecider.Work);
        await store.TryDecideAsync(fresh, TaskOutcome.Completed(200, null), TaskDecider.Work);
        await ExecuteAsync($"UPDATE scenario_receiver.task SET expires_at = now() - interval '1 second' WHERE task_instance_id = '{old}'");

        await store.RemoveExpiredAsync();

        Assert.Null((await store.FindAsync(old)));
        Assert.NotNull((await store.FindAsync(fresh)));
    }

    [SkippableFact]
    public async Task TableOfAnEarlierVersion_GetsItsStandingColumn_ItsTasksListedByStanding()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        // The table as the version before the standings' lists made it, with three tasks in it.
        await ExecuteAsync("""
            CREATE SCHEMA scenario_receiver;
            CREATE TABLE scenario_receiver.task (
                task_instance_id text PRIMARY KEY, workflow_instance_id text, job_id text, report_job_id text, queue text,
                entry_key text, accepted_at timestamptz, outcome text, reported_status text, reported_at timestamptz,
                deferred_until timestamptz, deadline_job_id text, cancelled_by_scenario_at timestamptz, cancellation_check_job_id text,
                status_url text, decided_by text, progress_until timestamptz, decided_at timestamptz, delivery text,
                report_lease uuid, report_lease_until timestamptz, report_lease_taken_over boolean NOT NULL DEFAULT false,
                unreported boolean NOT NULL DEFAULT false, undelivered boolean NOT NULL DEFAULT false,
                recovering boolean NOT NULL DEFAULT false, sweep_at timestamptz NOT NULL DEFAULT '-infinity',
                cancellation_check_at timestamptz, expires_at timestamptz NOT NULL);
            INSERT INTO scenario_receiver.task (task_instance_id, job_id, accepted_at, outcome, reported_status, reported_at, expires_at)
                VALUES ('delivered', '1', now() - interval '3 minutes', '{"status":"Completed","statusCode":200}', 'Completed', now(), now() + interval '1 day');
            INSERT INTO scenario_receiver.task (task_instance_id, job_id, accepted_at, outcome, delivery, undelivered, expires_at)
                VALUES ('refused', '2', now() - interval '2 minutes', '{"status":"Completed","statusCode":200}',
                    '{"attempts":1,"lastAnswer":"401 Unauthorized","lastAttemptAt":null,"needsPerson":true}', true, now() + interval '1 day');
            INSERT INTO scenario_receiver.task (task_instance_id, job_id, accepted_at, deferred_until, expires_at)
                VALUES ('deferred', '3', now() - interval '1 minute', now() + interval '1 hour', now() + interval '1 day');
            """);
        await using var host = await StartHostAsync(runHangfireServer: false);
        var store = host.Services.GetRequiredService<ITaskStore>();

        var listed = new Dictionary<TaskStanding, string[]>();
        foreach (var standing in TaskStandings.All)
        {
            listed[standing] = [.. (await store.ListAsync(TaskListFilter.Only(standing), 0, 10)).Tasks.Select(task => task.TaskInstanceId)];
        }

        Assert.Equal(["delivered"], listed[TaskStanding.Delivered]);
        Assert.Equal(["refused"], listed[TaskStanding.NeedsPerson]);
        Assert.Equal(["deferred"], listed[TaskStanding.Deferred]);
        Assert.Empty(listed[TaskStanding.Running]);
        Assert.Empty(listed[TaskStanding.AwaitingDelivery]);
        Assert.Empty(listed[TaskStanding.CancelledByScenario]);
        Assert.Equal(1, await PostgresServer.ScalarAsync(Database, "SELECT count(*) FROM pg_indexes WHERE indexname = 'task_standing_accepted_at'"));
    }

    [Fact]
    public async Task TaskStoreUnreachable_IsUnhealthyNamingIt()
    {
        // A port nothing listens on: every connection is refused, as with a database server that is down.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured,
            Scenario,
            [typeof(TaskWorkController)],
            new() { ["Scenario:TaskStore:ConnectionString"] = $"Host=127.0.0.1;Port={port};Username=app;Timeout=2" },
            runHangfireServer: false,
            configure: builder => builder.Services.AddHealthChecks().AddScenario());

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("The PostgreSQL task store (Scenario:TaskStore) cannot be reached (", entry.Description, StringComparison.Ordinal);
    }

    private Task<ReceiverTestHost> StartHostAsync(bool runHangfireServer = true, bool useKestrel = false)
        => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], TaskStoreSettings(), runHangfireServer, useKestrel: useKestrel);

    private Dictionary<string, string?> TaskStoreSettings()
        => new() { ["Scenario:TaskStore:ConnectionString"] = Database, ["Scenario:TaskStore:Schema"] = ScenarioTaskStoreOptions.DefaultSchema };

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
#pragma warning disable CA2100 // Test code: the statements are written in the tests, with ids made by them.
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync();
    }
}
