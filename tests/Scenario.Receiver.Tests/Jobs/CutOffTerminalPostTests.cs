using Hangfire.InMemory;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// The documented window of a duplicate terminal status, named when it opens: a delivery is cut off mid-post (its host
/// stops while Scenario holds the post, which Scenario may then have taken), and the next delivery, on another host
/// sharing the storage, posts again with Warning 1321 saying that Scenario may receive the status twice.
/// </summary>
public abstract class CutOffTerminalPostTests(TaskStoreUnderTest store) : StandInTest
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        // Long enough that only the stop ends the post; a second for the report job, to hold Scenario first.
        ["Scenario:Reporting:RequestTimeout"] = "00:02:00",
        ["Scenario:Reporting:RetryDelays:0"] = "00:00:01",
    };

    [Fact]
    public async Task HostStoppedWhileScenarioHoldsTheTerminalPost_NextDeliveryWarnsOfAPossibleDuplicate()
    {
        var storage = new InMemoryStorage();
        var first = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], Settings, storage: storage);
        Scenario.FailNext(1, 503);

        // The work job's post is refused for now; the report job's post is held by Scenario when the host stops.
        var call = await first.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForRequestsAsync(requests => requests.Any(r => r.AnsweredStatusCode == 503), Await.DefaultTimeout);
        Scenario.ResponseDelay = TimeSpan.FromMinutes(5);
        await Scenario.WaitForRequestsAsync(_ => Scenario.PendingRequestCount > 0, Await.DefaultTimeout);
        await first.DisposeAsync();

        Assert.DoesNotContain(first.Logs.Lines, l => l.EventId == 1321);
        Scenario.ResponseDelay = TimeSpan.Zero;
        await using var second = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], Settings, storage: storage);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        var warning = Assert.Single(second.Logs.Lines, l => l.EventId == 1321);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            $"Posting Completed for Scenario task {call.TaskInstanceId} after an earlier delivery of it was cut off mid-post (no answer within its timeout, its instance died or stopped, or its report lease was taken over): Scenario may receive this status twice",
            warning.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
    }

    [Fact]
    public async Task PostAnsweredWithAFailure_NextDeliveryDoesNotWarn()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], Settings);
        Scenario.FailNext(2, 503);

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(2, host.Logs.Lines.Count(l => l.EventId == 1302));
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1321);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class CutOffTerminalPostTests_InMemoryStore() : CutOffTerminalPostTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class CutOffTerminalPostTests_PostgreSqlStore() : CutOffTerminalPostTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class CutOffTerminalPostTests_HangfireStore() : CutOffTerminalPostTests(TaskStoreUnderTest.Hangfire);
