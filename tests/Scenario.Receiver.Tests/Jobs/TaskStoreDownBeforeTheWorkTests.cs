using Hangfire.InMemory;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// The task store cannot be reached when a work job starts (its PostgreSQL server is stopped, the job storage is
/// up): the work has not run, so nothing is its failure. The job is retried shortly, not counted as an attempt,
/// and once the store is back the work runs once and Scenario receives its outcome.
/// </summary>
public sealed class TaskStoreDownBeforeTheWorkTests(PostgresServer postgres) : StandInTest, IClassFixture<PostgresServer>
{
    [SkippableFact]
    public async Task StoreStoppedWhenTheWorkJobStarts_JobIsRetriedAndTheWorkRunsOnceWhenItIsBack()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var settings = new Dictionary<string, string?> { ["Scenario:TaskStore:ConnectionString"] = await postgres.CreateDatabaseAsync() + ";Pooling=false" };
        var storage = new InMemoryStorage();

        // Accepted while the store is up, by a host that runs no jobs.
        RestCallResponse call;
        await using (var accepting = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], settings, runHangfireServer: false, storage: storage))
        {
            call = await accepting.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        }

        await postgres.StopAsync();
        try
        {
            await using var working = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], settings, storage: storage);
            await Await.UntilAsync(() => working.Logs.Lines.Any(l => l.EventId == 1208), "the work job finds the store down", Await.DefaultTimeout);

            // Scheduled for a retry (not Failed, not Deleted), and the work never ran.
            await Await.UntilAsync(() => storage.StateOf(call.JobId!) == "Scheduled", "the work job is scheduled again", Await.DefaultTimeout);
            Assert.Equal(0, working.Probe.CountFor(call.TaskInstanceId));
            Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));

            await postgres.StartAgainAsync();
            var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout + ScenarioWorkJob.StorageUnavailableRetryDelay);

            Assert.Equal("Completed", status.Status);
            Assert.Equal(1, working.Probe.CountFor(call.TaskInstanceId));
            Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        }
        finally
        {
            if (!await IsUpAsync())
            {
                await postgres.StartAgainAsync();
            }
        }
    }

    private async Task<bool> IsUpAsync()
    {
        try
        {
            await PostgresServer.ScalarAsync(await postgres.CreateDatabaseAsync(), "SELECT 1");
            return true;
        }
#pragma warning disable CA1031 // Any failure says the server is down.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
