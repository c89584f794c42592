using System.Net;
using Hangfire.Client;
using Hangfire.InMemory;
using Npgsql;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.ScaleOut;

namespace Scenario.Receiver.Tests.LongRunning;

/// <summary>
/// Where a RestCall's work job is created: Hangfire's client is synchronous, so on a storage that waits on a server
/// (Hangfire.PostgreSql) the job is created on one of the receiver's own threads, never on a request or pool thread,
/// and still in the request's execution context (what the job's client filters read from it: the trace, the log scope),
/// a burst's creations each on a thread of its own while the storage is slow to answer; on Hangfire.InMemory it is created
/// inline.
/// </summary>
public sealed class WorkJobCreationThreadTests(PostgresServer postgres) : StandInTest, IClassFixture<PostgresServer>
{
    private const string StorageCallThreadName = "Scenario.Receiver storage call";

    [SkippableFact]
    public async Task OnHangfirePostgreSql_WorkJobIsCreatedOnAReceiverThreadInTheRequestsFlow()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var creations = new CreationRecorder();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)],
            storage: ScaleOutStorage.Create(await postgres.CreateDatabaseAsync()),
            jobFilters: inner => new PrependedJobFilters(inner, creations));

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var creation = Assert.Single(creations.WorkJobs);
        Assert.Equal(StorageCallThreadName, creation.ThreadName);
        Assert.False(creation.OnPoolThread);
        Assert.True(creation.InRequestFlow, "The request's execution context did not reach the job's creation.");
    }

    [SkippableFact]
    public async Task OnHangfirePostgreSql_BurstWhileTheStorageHoldsCreations_EachCreationOnAReceiverThreadOfItsOwn()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        // More than the 8 threads the receiver had before, fewer than StorageCallThreads.MaxThreads.
        const int burst = 12;
        var database = await postgres.CreateDatabaseAsync();
        var creations = new CreationRecorder();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)],
            storage: ScaleOutStorage.Create(database),
            jobFilters: inner => new PrependedJobFilters(inner, creations));

        // Hangfire.PostgreSql's job creation waits at the job table while the test holds it, as creations waited on a
        // database slow to answer: more of them at once than the receiver's first threads, each begun (its filter ran)
        // on a thread of its own, none waiting behind another.
        Task<RestCallResponse>[] calls;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var lockJobs = new NpgsqlCommand("LOCK TABLE hangfire.job IN SHARE MODE", connection, transaction))
            {
                await lockJobs.ExecuteNonQueryAsync();
            }

            calls = [.. Enumerable.Range(0, burst).Select(_ => host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody))];
            await Await.UntilAsync(() => creations.WorkJobs.Length == burst, $"all {burst} work jobs are being created at once");
            await transaction.RollbackAsync();
        }

        foreach (var answer in await Task.WhenAll(calls))
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            await Scenario.WaitForTerminalStatusAsync(answer.TaskInstanceId, Await.DefaultTimeout);
        }

        var made = creations.WorkJobs;
        Assert.All(made, c => Assert.Equal(StorageCallThreadName, c.ThreadName));
        Assert.All(made, c => Assert.True(c.InRequestFlow, "The request's execution context did not reach the job's creation."));
        Assert.Equal(burst, made.Select(c => c.ThreadId).Distinct().Count());
    }

    [Fact]
    public async Task OnHangfireInMemory_WorkJobIsCreatedInline()
    {
        var creations = new CreationRecorder();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)],
            storage: new InMemoryStorage(),
            jobFilters: inner => new PrependedJobFilters(inner, creations));

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var creation = Assert.Single(creations.WorkJobs);
        Assert.NotEqual(StorageCallThreadName, creation.ThreadName);
        Assert.True(creation.InRequestFlow);
    }

    private sealed record Creation(string? ThreadName, int ThreadId, bool OnPoolThread, bool InRequestFlow);

    private sealed class CreationRecorder : IClientFilter
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Creation> _workJobs = new();

        public Creation[] WorkJobs => [.. _workJobs];

        public void OnCreating(CreatingContext context)
        {
            if (context.Job.Type == typeof(ScenarioWorkJob))
            {
                _workJobs.Enqueue(new Creation(Thread.CurrentThread.Name, Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread, WorkProbe.InRequestFlow.Value));
            }
        }

        public void OnCreated(CreatedContext context)
        {
        }
    }
}
