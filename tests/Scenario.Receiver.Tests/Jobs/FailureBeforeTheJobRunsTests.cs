using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// A job's run fails in Hangfire's pipeline before the job method starts (a filter's job-parameter read times out): nothing
/// of the work or of the delivery ran, so it is no outcome of the task. Hangfire runs the job again, and Scenario receives
/// the work's own outcome, once; without the retry the job stayed Failed and the sweeper reported Error for work that
/// never ran.
/// </summary>
public sealed class FailureBeforeTheJobRunsTests : StandInTest
{
    [Fact]
    public async Task WorkJobFailingInAFilterBeforeItRuns_RunsAgainAndScenarioReceivesTheWorksOutcomeOnce()
    {
        var filter = new FailFirstRunFilter(typeof(ScenarioWorkJob));
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.InMemory, Scenario, [typeof(TaskWorkController)],
            jobFilters: inner => new PrependedJobFilters(inner, filter));

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.True(filter.Failed.ContainsKey(call.JobId!), "The work job's first run did not fail.");
        Assert.Equal("Completed", status.Status);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        Assert.Equal(1, host.Probe.CountFor(call.TaskInstanceId));
        var history = host.Storage.JobDetails(call.JobId!)!.History;
        Assert.Contains(history, h => h.StateName == "Scheduled" && h.Reason.StartsWith("Retry attempt 1 of 10: Could not get a value", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.EventId == 1701);
    }

    [Fact]
    public async Task ReportJobFailingInAFilterBeforeItRuns_RunsAgainAndDelivers()
    {
        var filter = new FailFirstRunFilter(typeof(ScenarioReportJob));
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.InMemory, Scenario, [typeof(TaskWorkController)],
            jobFilters: inner => new PrependedJobFilters(inner, filter));

        // The work job's own delivery is refused for now: a report job takes the task over.
        Scenario.FailNext(1, 503);
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var reportJobId = (await host.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))!.ReportJobId!;
        Assert.True(filter.Failed.ContainsKey(reportJobId), "The report job's first run did not fail.");
        Assert.Equal("Completed", status.Status);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        await Await.UntilAsync(() => host.Storage.StateOf(reportJobId) == "Succeeded", "the report job succeeds");
    }
}
