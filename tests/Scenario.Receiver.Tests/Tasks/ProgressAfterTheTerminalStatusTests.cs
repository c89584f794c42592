using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// Progress is sent under the same rule as the terminal status: a callback that completes a task while its work is
/// still posting progress gets its terminal status to Scenario last, whatever a slow Scenario does to the posts in
/// flight. Each progress post begins under the report lock with a lease in the record; the terminal delivery waits
/// for an unexpired one.
/// </summary>
public abstract class ProgressAfterTheTerminalStatusTests(TaskStoreUnderTest store) : StandInTest
{
    private const int Tasks = 20;

    [Fact]
    public async Task CallbackCompletesRunningWork_WhileProgressIsFrequentAndScenarioSlow_NoProgressArrivesAfterTheTerminalStatus()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store, Scenario, [typeof(ProgressController)],
            settings: new() { ["Scenario:Reporting:ProgressInterval"] = "00:00:00" },
            configureServer: server => server.WorkerCount = Tasks);
        Scenario.ResponseDelay = TimeSpan.FromMilliseconds(150);

        var calls = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => host.RestCall.PostAsync("/progress/burst", TestData.ValidBody)));
        // Every task is running and posting progress before its callback comes.
        await Scenario.WaitForRequestsAsync(
            requests => calls.All(call => requests.Any(r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal))), Await.DefaultTimeout);

        var completion = host.Services.GetRequiredService<IScenarioTaskCompletion>();
        var results = await Task.WhenAll(calls.Select(call => completion.CompleteAsync(call.TaskInstanceId, new { by = "callback" })));
        Assert.All(results, result => Assert.True(result.IsDecided));

        // Every work ends (its own outcome loses), so any progress it still had to send has been sent.
        await Await.UntilAsync(() => calls.All(call => host.Storage.StateOf(call.JobId!) == "Succeeded"), "every work job ends", Await.DefaultTimeout);
        foreach (var call in calls)
        {
            await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        }

        await Await.UntilAsync(() => Scenario.PendingRequestCount == 0, "no post is left in flight", Await.DefaultTimeout);
        foreach (var call in calls)
        {
            var statuses = Scenario.StatusesFor(call.TaskInstanceId);
            var terminal = Assert.Single(statuses, s => s.IsTerminal);
            Assert.Equal("Completed", terminal.Status);
            Assert.Equal("callback", terminal.OutputValues["by"]);
            Assert.True(statuses[^1].IsTerminal, $"task {call.TaskInstanceId}: {string.Join(", ", statuses.Select(s => s.Status))}");
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ProgressAfterTheTerminalStatusTests_InMemoryStore() : ProgressAfterTheTerminalStatusTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ProgressAfterTheTerminalStatusTests_PostgreSqlStore() : ProgressAfterTheTerminalStatusTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ProgressAfterTheTerminalStatusTests_HangfireStore() : ProgressAfterTheTerminalStatusTests(TaskStoreUnderTest.Hangfire);
