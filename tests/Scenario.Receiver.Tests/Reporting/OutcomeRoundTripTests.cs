using System.Net;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Reporting;

/// <summary>A RestCall in, the action run in Hangfire, the outcome out to the stand-in: each kind of result.</summary>
public abstract class OutcomeRoundTripTests(TaskStoreUnderTest store) : HostedTaskWorkTest(store)
{
    private async Task<ReceivedTaskStatus> RoundTripAsync(string path)
    {
        var response = await Host.RestCall.PostAsync(path, TestData.ValidBody, workflowInstanceId: "wf-1");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);
        Assert.Single(Scenario.StatusesFor(response.TaskInstanceId), s => s.IsTerminal);
        return status;
    }

    [Theory]
    [InlineData("/tasks/ok", "200")]
    [InlineData("/tasks/created", "201")]
    [InlineData("/tasks/value", "200")]
    [InlineData("/tasks/value-async", "200")]
    public async Task ActionReturningAValue_ReportsCompletedWithItsStatusCodeAndPropertiesAsStrings(string path, string statusCode)
    {
        var status = await RoundTripAsync(path);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(statusCode, status.OutputValues["statusCode"]);
        Assert.Equal("EQ-1", status.OutputValues["portfolio"]);
        Assert.Equal("256", status.OutputValues["quantity"]);
        Assert.Equal("101.25", status.OutputValues["price"]);
        Assert.Equal("false", status.OutputValues["urgent"]);
        Assert.Equal("2026-11-27T09:30:00+00:00", status.OutputValues["asOf"]);
        Assert.Equal("{\"desk\":\"Rates\",\"legs\":[1,2]}", status.OutputValues["detail"]);
        Assert.False(status.OutputValues.ContainsKey("missing"));
    }

    [Theory]
    [InlineData("/tasks/void", "200")]
    [InlineData("/tasks/task", "200")]
    [InlineData("/tasks/no-content", "204")]
    public async Task ActionReturningNoValue_ReportsCompletedWithOnlyTheStatusCode(string path, string statusCode)
    {
        var status = await RoundTripAsync(path);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(statusCode, Assert.Single(status.OutputValues).Value);
    }

    [Fact]
    public async Task ActionAnsweringNotFound_ReportsErrorWith404()
    {
        var status = await RoundTripAsync("/tasks/not-found");

        Assert.Equal("Error", status.Status);
        Assert.Equal("404", status.OutputValues["statusCode"]);
        Assert.Equal("The endpoint answered 404 Not Found.", status.Message);
    }

    [Fact]
    public async Task ActionAnsweringProblem_ReportsErrorWithTheProblemsCodeTitleAndDetail()
    {
        var status = await RoundTripAsync("/tasks/problem");

        Assert.Equal("Error", status.Status);
        Assert.Equal("422", status.OutputValues["statusCode"]);
        Assert.Equal("Portfolio closed: EQ-1 is closed for pricing", status.Message);
    }

    [Fact]
    public async Task ActionThrowing_ReportsOneError500WithTypeAndMessageAndNoStackTrace()
    {
        var status = await RoundTripAsync("/tasks/throw");

        Assert.Equal("Error", status.Status);
        Assert.Equal("500", status.OutputValues["statusCode"]);
        Assert.Equal("InvalidOperationException: Pricing engine unavailable for EQ-1", status.Message);
        Assert.Equal(1, Host.Probe.CountFor(status.TaskInstanceId));
    }

    [Fact]
    public async Task ActionWithRetries2_FailingEveryTime_ReportsOneErrorAfterTheThirdAttempt()
    {
        var body = new { portfolio = "EQ-1", urgent = true }; // urgent: the flaky action fails every time
        var response = await Host.RestCall.PostAsync("/tasks/flaky", body);

        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Error", status.Status);
        Assert.Equal("TimeoutException: Attempt 3 failed", status.Message);
        Assert.Equal(3, Host.Probe.CountFor(response.TaskInstanceId));
        AssertOneTerminalStatusAfterAnInProgressPerFailedAttempt(Scenario.StatusesFor(response.TaskInstanceId), failedAttempts: 2);
        // The work job reports before it ends: its final state is stored a moment after Scenario has the status.
        await Await.UntilAsync(() => Host.Storage.StateOf(response.JobId!) == "Deleted", "the work job is Deleted");
    }

    [Fact]
    public async Task ActionWithRetries2_SucceedingOnTheThirdAttempt_ReportsOneCompleted()
    {
        var response = await Host.RestCall.PostAsync("/tasks/flaky", TestData.ValidBody);

        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(3, Host.Probe.CountFor(response.TaskInstanceId));
        AssertOneTerminalStatusAfterAnInProgressPerFailedAttempt(Scenario.StatusesFor(response.TaskInstanceId), failedAttempts: 2);
    }

    [Fact]
    public async Task WorkJob_RestoresTheTaskContextAndRunsOutsideTheRequest()
    {
        var status = await RoundTripAsync("/tasks/context");

        Assert.Equal(status.TaskInstanceId, status.OutputValues["task"]);
        Assert.Equal("wf-1", status.OutputValues["workflow"]);
        Assert.False(Assert.Single(Host.Probe.Invocations).InRequest);
    }

    /// <summary>Between attempts Scenario hears which attempt failed, why, and when the next starts; then one terminal status.</summary>
    private static void AssertOneTerminalStatusAfterAnInProgressPerFailedAttempt(IReadOnlyList<ReceivedTaskStatus> statuses, int failedAttempts)
    {
        Assert.True(statuses[^1].IsTerminal);
        Assert.Single(statuses, s => s.IsTerminal);
        for (var attempt = 1; attempt <= failedAttempts; attempt++)
        {
            var notice = Assert.Single(statuses, s => s.Status == "InProgress" && s.Message!.StartsWith($"Attempt {attempt} of 3 failed (TimeoutException: Attempt {attempt} failed); attempt {attempt + 1} starts at ", StringComparison.Ordinal));
            Assert.EndsWith(" UTC, in 0 s.", notice.Message, StringComparison.Ordinal);
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class OutcomeRoundTripTests_InMemoryStore() : OutcomeRoundTripTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class OutcomeRoundTripTests_PostgreSqlStore() : OutcomeRoundTripTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class OutcomeRoundTripTests_HangfireStore() : OutcomeRoundTripTests(TaskStoreUnderTest.Hangfire);
