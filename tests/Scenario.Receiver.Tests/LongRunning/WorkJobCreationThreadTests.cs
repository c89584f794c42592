using System.Net;
using Hangfire.Client;
using Hangfire.InMemory;
using Npgsql;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.ScaleOut;

namespace Scenario.Receiver.Tests.LongRunning;

/// <summary>
/// Where a RestCall's work job is created: Hangfire's client is synchronous, so on a storage that waits on a server
/// (Hangfire.PostgreSql) the job is created on the request's thread while the thread pool can spare it, and on one of the
/// receiver's own threads once blocked creations hold what it can spare (a burst on a shrunk pool), still in the
/// request's execution context (what the job's client filters read from it: the trace, the log scope); on
/// Hangfire.InMemory it is created inline. The pool is set up for real, so these tests run alone.
/// </summary>
[Collection(ThreadPoolGroup.Name)]
public sealed class WorkJobCreationThreadTests(PostgresServer postgres) : StandInTest, IClassFixture<PostgresServer>
{
    private const string StorageCallThreadName = "Scenario.Receiver storage call";

    /// <summary>A pool with a few threads more than the rule keeps free: the first creations may block theirs.</summary>
    private static readonly int GrownPool = (ThreadPoolHeadroom.FreeThreadsPerProcessor * Environment.ProcessorCount) + 4;

    [SkippableFact]
    public async Task OnHangfirePostgreSql_PoolWithThreadsToSpare_WorkJobIsCreatedInlineOnTheRequestsThread()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var creations = new CreationRecorder();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)],
            storage: ScaleOutStorage.Create(await postgres.CreateDatabaseAsync()),
            jobFilters: inner => new PrependedJobFilters(inner, creations));
        await GrowThreadPoolAsync(GrownPool);

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var creation = Assert.Single(creations.WorkJobs);
        Assert.True(creation.OnPoolThread, $"The work job was created on {creation.ThreadName}, not on the request's pool thread.");
        Assert.NotEqual(StorageCallThreadName, creation.ThreadName);
        Assert.True(creation.InRequestFlow, "The request's execution context did not reach the job's creation.");
    }

    [SkippableFact]
    public async Task OnHangfirePostgreSql_BurstWhileCreationsHoldWhatThePoolCanSpare_NextWorkJobIsCreatedOnAReceiverThreadInTheRequestsFlow()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var database = await postgres.CreateDatabaseAsync();
        var creations = new CreationRecorder();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)],
            storage: ScaleOutStorage.Create(database),
            jobFilters: inner => new PrependedJobFilters(inner, creations));
        await GrowThreadPoolAsync(GrownPool);

        // Hangfire.PostgreSql's job creation waits at the job table while the test holds it: a creation on the request's
        // thread holds that pool thread, as a burst after an idle minute did while the database answered slowly. One
        // RestCall at a time, each awaited until its creation has begun (its filter ran), until one goes elsewhere.
        var calls = new List<Task<RestCallResponse>>();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var lockJobs = new NpgsqlCommand("LOCK TABLE hangfire.job IN SHARE MODE", connection, transaction))
            {
                await lockJobs.ExecuteNonQueryAsync();
            }

            while (!creations.WorkJobs.Any(c => c.ThreadName == StorageCallThreadName))
            {
                Assert.True(calls.Count < 4 * GrownPool, $"{calls.Count} work jobs were created on request threads held at the job table, none on a receiver thread.");
                calls.Add(host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody));
                var sent = calls.Count;
                await Await.UntilAsync(() => creations.WorkJobs.Length == sent, $"RestCall {sent}'s work job is being created");
            }

            await transaction.RollbackAsync();
        }

        var answers = await Task.WhenAll(calls);
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            await Scenario.WaitForTerminalStatusAsync(answer.TaskInstanceId, Await.DefaultTimeout);
        }

        var made = creations.WorkJobs;
        Assert.Equal(answers.Length, made.Length);
        Assert.True(made[0].OnPoolThread, $"The first work job, with the pool's threads to spare, was created on {made[0].ThreadName}.");
        Assert.True(made.Length >= 2, "The first work job was not created inline.");
        Assert.Equal(StorageCallThreadName, made[^1].ThreadName);
        Assert.False(made[^1].OnPoolThread);
        Assert.All(made, c => Assert.True(c.InRequestFlow, "The request's execution context did not reach the job's creation."));
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

    /// <summary>
    /// Grows the pool for real to at least <paramref name="threads"/> threads: that many work items blocked at once, all
    /// released once every one has started. The pool keeps idle threads for about 20 s before it retires them.
    /// </summary>
    private static async Task GrowThreadPoolAsync(int threads)
    {
        var release = new ManualResetEventSlim();
        var started = 0;
        for (var i = 0; i < threads; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    Interlocked.Increment(ref started);
                    release.Wait(Await.DefaultTimeout);
                },
                null);
        }

        try
        {
            await Await.UntilAsync(() => Volatile.Read(ref started) == threads, $"{threads} pool threads run at once");
        }
        finally
        {
            release.Set();
        }
    }

    private sealed record Creation(string? ThreadName, bool OnPoolThread, bool InRequestFlow);

    private sealed class CreationRecorder : IClientFilter
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Creation> _workJobs = new();

        public Creation[] WorkJobs => [.. _workJobs];

        public void OnCreating(CreatingContext context)
        {
            if (context.Job.Type == typeof(ScenarioWorkJob))
            {
                _workJobs.Enqueue(new Creation(Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, WorkProbe.InRequestFlow.Value));
            }
        }

        public void OnCreated(CreatedContext context)
        {
        }
    }
}
