using System.Net;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning;

/// <summary>Duplicate RestCalls for one task id.</summary>
public abstract class TaskAcceptorTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task TwentyIdenticalRestCallsAtOnce_MakeOneJobAndOneTerminalStatus()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], useKestrel: true);
        var taskId = TestData.NewTaskId();

        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId)));
        await Scenario.WaitForTerminalStatusAsync(taskId, Await.DefaultTimeout);
        await Await.UntilAsync(() => host.Storage.StateOf(calls[0].JobId!) == "Succeeded", "the work job succeeded");

        Assert.All(calls, c => Assert.Equal(HttpStatusCode.Accepted, c.StatusCode));
        Assert.Single(calls.Select(c => c.JobId).Distinct());
        Assert.Equal(1, host.Storage.TotalJobs()); // the work job, which also reported
        Assert.Equal(1, host.Probe.CountFor(taskId));
        Assert.Single(Scenario.StatusesFor(taskId));
        Assert.Equal(19, host.Logs.Lines.Count(l => l.EventId == 1102));
    }

    [Fact]
    public async Task RestCallRepeatedAfterTheTaskIsDone_Answers202WithTheSameJobAndEnqueuesNothing()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var first = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(first.TaskInstanceId, Await.DefaultTimeout);

        var again = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody, first.TaskInstanceId.ToUpperInvariant());

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(first.JobId, again.JobId);
        Assert.Equal(1, host.Storage.TotalJobs());
        Assert.Single(Scenario.StatusesFor(first.TaskInstanceId));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskAcceptorTests_InMemoryStore() : TaskAcceptorTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskAcceptorTests_PostgreSqlStore() : TaskAcceptorTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskAcceptorTests_HangfireStore() : TaskAcceptorTests(TaskStoreUnderTest.Hangfire);
