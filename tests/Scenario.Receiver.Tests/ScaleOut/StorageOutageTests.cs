using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// The job storage goes away while work ends: PostgreSQL stopped (<c>pg_ctl stop -m fast</c>) after the
/// work of several tasks has started and before it ends, then started again.
/// </summary>
public abstract class StorageOutageTests(TaskStoreUnderTest store, PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    // The ten tasks, with as many Hangfire workers, so that every task's work is running when the storage goes.
    private const int TaskCount = 10;

    // The outage. The storage's invisibility timeout is longer, as the README asks: past it Hangfire
    // would fetch a job again while its outcome save still waits, and its work would run twice.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan LongInvisibilityTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> _runs = new();
    private ScenarioStandIn? _scenario;
    private bool _stopped;

    public async Task InitializeAsync()
    {
        if (postgres.IsAvailable)
        {
            _scenario = await ScenarioStandIn.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        // Whatever happened, the server runs again for the tests after this one.
        if (_stopped)
        {
            await postgres.StartAgainAsync();
        }

        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task PostgresStoppedFor20sWhileWorkEnds_EveryTaskReportedOnceAfterItReturnsWithoutRedoingTheWork()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var database = await postgres.CreateDatabaseAsync();
        var scenario = _scenario!;
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            scenario,
            [typeof(TaskWorkController)],
            storage: ScaleOutStorage.Create(database, LongInvisibilityTimeout),
            configure: builder => builder.Services.AddHealthChecks().AddScenario(),
            map: app => app.MapPost("/tasks/gated", async (Scenario.Receiver.ScenarioTaskContext task) =>
            {
                _runs.AddOrUpdate(task.TaskInstanceId!, 1, (_, runs) => runs + 1);
                await _release.Task;
                return Results.Ok(new { done = true });
            }).WithScenarioLongRunning(),
            configureServer: server => server.WorkerCount = TaskCount);

        var taskIds = new List<string>();
        for (var i = 0; i < TaskCount; i++)
        {
            var call = await host.RestCall.PostAsync("/tasks/gated", TestData.ValidBody);
            Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
            taskIds.Add(call.TaskInstanceId);
        }

        await Await.UntilAsync(() => taskIds.All(_runs.ContainsKey), "the work of every task runs", Timeout);

        await postgres.StopAsync();
        _stopped = true;
        var down = System.Diagnostics.Stopwatch.StartNew();
        _release.SetResult();
        // The outage's length is what the test is about: it waits for it, and for each save to fail again and again.
        await Await.UntilAsync(
            () => down.Elapsed >= Outage && taskIds.All(id => host.Logs.Lines.Count(l => l.EventId == 1207 && l.Message.Contains(id, StringComparison.Ordinal)) >= 4),
            "the outage lasted 20 s and each task's outcome save failed four times",
            Timeout);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.StartsWith("The Hangfire job storage cannot be reached", health.Entries[ScenarioHealthChecksBuilderExtensions.DefaultName].Description, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.Statuses, s => s.IsTerminal);

        await postgres.StartAgainAsync();
        _stopped = false;
        // The saves wait at most 30 s between attempts.
        await scenario.WaitForStatusesAsync(statuses => taskIds.All(id => statuses.Any(s => s.TaskInstanceId == id && s.IsTerminal)), Timeout);

        // Every work job done, so no second report can still be on its way.
        var monitoring = host.Storage.GetMonitoringApi();
        await Await.UntilAsync(() => monitoring.SucceededListCount() >= TaskCount && monitoring.ProcessingCount() == 0, "every work job succeeded", Timeout);
        foreach (var id in taskIds)
        {
            Assert.Equal("Completed", Assert.Single(scenario.StatusesFor(id), s => s.IsTerminal).Status);
            Assert.Equal(1, _runs[id]);
        }

        var warning = host.Logs.Lines.First(l => l.EventId == 1207);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [SkippableFact]
    public async Task PostgresStoppedWhileTheTerminalPostIsInFlight_TheReportedMarkWaitsForItAndNothingIsPostedTwice()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var database = await postgres.CreateDatabaseAsync();
        var scenario = _scenario!;
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            scenario,
            [typeof(TaskWorkController)],
            // The sweeper runs every second meanwhile: it must find nothing to add.
            new() { ["Scenario:SweepInterval"] = "00:00:01" },
            storage: ScaleOutStorage.Create(database));
        scenario.ResponseDelay = TimeSpan.FromSeconds(2);

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await scenario.WaitForRequestsAsync(_ => scenario.PendingRequestCount > 0, Timeout);
        await postgres.StopAsync();
        _stopped = true;
        await Await.UntilAsync(() => host.Logs.Lines.Any(l => l.EventId == 1307), "Scenario took the status and recording it is retried", Timeout);
        scenario.ResponseDelay = TimeSpan.Zero;

        await postgres.StartAgainAsync();
        _stopped = false;
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Succeeded", "the work job succeeded", Timeout);
        // Two sweeps after the outage, run here: Hangfire's recurring-job scheduler backs off after storage errors,
        // and on a loaded machine its next sweep may be minutes away.
        for (var sweep = 0; sweep < 2; sweep++)
        {
            using var scope = host.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ScenarioSweepJob>().SweepAsync(CancellationToken.None);
        }

        Assert.Equal("Completed", Assert.Single(scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal).Status);
        var warning = host.Logs.Lines.First(l => l.EventId == 1307);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(call.TaskInstanceId, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1701);
    }
}

// Not on the in-memory store: its tasks are one process's, and a host on Hangfire's PostgreSQL storage never chooses it.
[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class StorageOutageTests_PostgreSqlStore(PostgresServer postgres) : StorageOutageTests(TaskStoreUnderTest.PostgreSql, postgres);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class StorageOutageTests_HangfireStore(PostgresServer postgres) : StorageOutageTests(TaskStoreUnderTest.Hangfire, postgres);
