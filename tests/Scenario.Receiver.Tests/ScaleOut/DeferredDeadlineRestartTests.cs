using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// A deferred task on the shared PostgreSQL storage: its deadline is a job that survives the instance that deferred
/// the task, and callbacks arriving at two instances at once decide it once.
/// </summary>
public abstract class DeferredDeadlineRestartTests(TaskStoreUnderTest store, SharedPostgresServer postgres) : IClassFixture<SharedPostgresServer>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

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
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    private Task<ReceiverTestHost> StartInstanceAsync()
        => ReceiverTestHost.StartAsync(store, _scenario!, [typeof(DeferringController)], storage: ScaleOutStorage.Create(_database), map: app => app.MapScenarioTaskStatus());

    [SkippableFact]
    public async Task DeadlineOfADeferredTask_FiresAfterARestart_OnceAsError504()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        string taskInstanceId;
        await using (var first = await StartInstanceAsync())
        {
            var call = await first.RestCall.PostAsync("/deferring/defer/4000", null);
            taskInstanceId = call.TaskInstanceId;
            await Await.UntilAsync(
                async () => (await first.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId))?.DeferredUntil is not null, "the task is deferred", Timeout);
        }

        Assert.Empty(_scenario!.StatusesFor(taskInstanceId));
        await using var second = await StartInstanceAsync();

        var status = await _scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);

        Assert.Equal("Error", status.Status);
        Assert.Equal("504", status.OutputValues["statusCode"]);
        Assert.StartsWith("The task was not completed within 4 s of its deferral", status.Message, StringComparison.Ordinal);
        await Await.UntilAsync(async () => (await second.Services.GetRequiredService<ITaskStore>().FindAsync(taskInstanceId))?.IsReported == true, "the task is marked reported", Timeout);
        Assert.Single(_scenario.StatusesFor(taskInstanceId));
    }

    [SkippableFact]
    public async Task SixConcurrentCallbacksAcrossTwoInstances_OneTerminalStatus_OneDecided()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        var call = await first.RestCall.PostAsync("/deferring/defer/60000", null);
        await Await.UntilAsync(
            async () => (await second.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))?.DeferredUntil is not null, "the task is deferred", Timeout);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).Services.GetRequiredService<IScenarioTaskCompletion>().CompleteAsync(call.TaskInstanceId, new { caller = i }))));

        Assert.Single(results, r => r.IsDecided);
        Assert.All(results.Where(r => !r.IsDecided), r => Assert.Equal(ScenarioPriorOutcome.Completed, r.PriorOutcome));
        await _scenario!.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        await Await.UntilAsync(async () => (await first.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))?.IsReported == true, "the task is marked reported", Timeout);
        Assert.Single(_scenario.StatusesFor(call.TaskInstanceId));
    }
}

// Not on the in-memory store: its tasks are one process's, and a host on Hangfire's PostgreSQL storage never chooses it.
[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class DeferredDeadlineRestartTests_PostgreSqlStore(SharedPostgresServer postgres) : DeferredDeadlineRestartTests(TaskStoreUnderTest.PostgreSql, postgres);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class DeferredDeadlineRestartTests_HangfireStore(SharedPostgresServer postgres) : DeferredDeadlineRestartTests(TaskStoreUnderTest.Hangfire, postgres);
