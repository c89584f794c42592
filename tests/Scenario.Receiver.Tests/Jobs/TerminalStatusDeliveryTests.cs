using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>The report lock around a terminal post: a second delivery waits for the answer to the first, never posts beside it.</summary>
public abstract class TerminalStatusDeliveryTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public void ReportLockTimeout_WithTheDefaults_OutlivesARequestTimeoutOfAMinuteOrMore()
    {
        var reporting = new ScenarioReportingOptions();

        Assert.True(reporting.RequestTimeout >= TimeSpan.FromMinutes(1), $"RequestTimeout {reporting.RequestTimeout}");
        Assert.True(TaskLocks.ReportLockTimeoutFor(reporting) > reporting.RequestTimeout);
    }

    [Theory]
    [InlineData("00:00:05")]
    [InlineData("00:10:00")]
    public void ReportLockTimeout_ForAnyRequestTimeout_OutlivesIt(string requestTimeout)
    {
        var reporting = new ScenarioReportingOptions { RequestTimeout = TimeSpan.Parse(requestTimeout, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.True(TaskLocks.ReportLockTimeoutFor(reporting) > reporting.RequestTimeout);
    }

    [Fact]
    public async Task SecondDelivery_WhileSlowScenarioHoldsTheFirstPost_WaitsForItsAnswerAndPostsNothing()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)],
            new() { ["Scenario:Reporting:RequestTimeout"] = "00:00:10" });
        Scenario.ResponseDelay = TimeSpan.FromSeconds(2);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        // The stand-in records a request once it has answered it; the one held now is this task's terminal post.
        await Scenario.WaitForRequestsAsync(_ => Scenario.PendingRequestCount > 0, Await.DefaultTimeout);

        // Another delivery of the same task (a rerun of its job, another instance) while the first post is in flight.
        using (var scope = host.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<TerminalStatusDelivery>().DeliverAsync(call.TaskInstanceId, null, attempt: 1, CancellationToken.None);
        }

        Assert.Single(Scenario.Requests, r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal));
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1305);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TerminalStatusDeliveryTests_InMemoryStore() : TerminalStatusDeliveryTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TerminalStatusDeliveryTests_PostgreSqlStore() : TerminalStatusDeliveryTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TerminalStatusDeliveryTests_HangfireStore() : TerminalStatusDeliveryTests(TaskStoreUnderTest.Hangfire);
