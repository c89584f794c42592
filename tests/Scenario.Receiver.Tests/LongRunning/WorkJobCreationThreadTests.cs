using Hangfire.Client;
using Hangfire.InMemory;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.ScaleOut;

namespace Scenario.Receiver.Tests.LongRunning;

/// <summary>
/// Where a RestCall's work job is created: Hangfire's client is synchronous, so on a storage that waits on a server
/// (Hangfire.PostgreSql) the job is created on one of the receiver's own threads, never on a request or pool thread,
/// and still in the request's execution context (what the job's client filters read from it: the trace, the log scope);
/// on Hangfire.InMemory it is created inline.
/// </summary>
public sealed class WorkJobCreationThreadTests(PostgresServer postgres) : StandInTest, IClassFixture<PostgresServer>
{
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
        Assert.Equal("Scenario.Receiver storage call", creation.ThreadName);
        Assert.False(creation.OnPoolThread);
        Assert.True(creation.InRequestFlow, "The request's execution context did not reach the job's creation.");
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
        Assert.NotEqual("Scenario.Receiver storage call", creation.ThreadName);
        Assert.True(creation.InRequestFlow);
    }

    private sealed record Creation(string? ThreadName, bool OnPoolThread, bool InRequestFlow);

    private sealed class CreationRecorder : IClientFilter
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Creation> _workJobs = new();

        public IReadOnlyCollection<Creation> WorkJobs => _workJobs;

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
