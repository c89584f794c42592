using System.Net;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning.MinimalApis;

/// <summary>A RestCall in, a minimal-API handler run in Hangfire, the outcome out to the stand-in: each kind of result.</summary>
public abstract class MinimalApiRoundTripTests(TaskStoreUnderTest store) : HostedMinimalApiTest(store)
{
    private async Task<ReceivedTaskStatus> RoundTripAsync(string path, object? body = null)
    {
        var response = await Host.RestCall.PostAsync(path, body ?? TestData.ValidBody, workflowInstanceId: "wf-1");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);
        Assert.Single(Scenario.StatusesFor(response.TaskInstanceId), s => s.IsTerminal);
        return status;
    }

    [Theory]
    [InlineData("/minimal/ok", "200")]
    [InlineData("/minimal/created", "201")]
    [InlineData("/minimal/accepted", "202")]
    [InlineData("/minimal/json", "203")]
    [InlineData("/minimal/value", "200")]
    [InlineData("/minimal/value-async", "200")]
    [InlineData("/minimal/union/true", "200")]
    public async Task HandlerReturningAValue_ReportsCompletedWithItsStatusCodeAndPropertiesAsStrings(string path, string statusCode)
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
    [InlineData("/minimal/void", "200")]
    [InlineData("/minimal/task", "200")]
    [InlineData("/minimal/no-content", "204")]
    public async Task HandlerReturningNoValue_ReportsCompletedWithOnlyTheStatusCode(string path, string statusCode)
    {
        var status = await RoundTripAsync(path);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(statusCode, Assert.Single(status.OutputValues).Value);
    }

    [Theory]
    [InlineData("/minimal/scalar", "42")]
    [InlineData("/minimal/list", "[\"EQ-1\",\"EQ-2\"]")]
    public async Task HandlerReturningAScalarOrAList_ReportsItUnderTheValueOutput(string path, string value)
    {
        var status = await RoundTripAsync(path);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(value, status.OutputValues["value"]);
        Assert.Equal("200", status.OutputValues["statusCode"]);
    }

    [Theory]
    [InlineData("/minimal/not-found", "404", "The endpoint answered 404 Not Found.")]
    [InlineData("/minimal/union/false", "404", "The endpoint answered 404 Not Found.")]
    [InlineData("/minimal/bad-request", "400", "EQ-1 is not a portfolio of this desk")]
    [InlineData("/minimal/problem", "422", "Portfolio closed: EQ-1 is closed for pricing")]
    [InlineData("/minimal/validation-problem", "400", "The portfolio is unknown")]
    public async Task HandlerAnsweringAnError_ReportsErrorWithItsCodeAndMessage(string path, string statusCode, string message)
    {
        var status = await RoundTripAsync(path);

        Assert.Equal("Error", status.Status);
        Assert.Equal(statusCode, status.OutputValues["statusCode"]);
        Assert.Equal(message, status.Message);
    }

    [Fact]
    public async Task HandlerThrowing_ReportsOneError500WithTypeAndMessage()
    {
        var status = await RoundTripAsync("/minimal/throw");

        Assert.Equal("Error", status.Status);
        Assert.Equal("500", status.OutputValues["statusCode"]);
        Assert.Equal("InvalidOperationException: Pricing engine unavailable for EQ-1", status.Message);
        Assert.Equal(1, Host.Probe.CountFor(status.TaskInstanceId));
    }

    [Fact]
    public async Task HandlerCompleting_SendsAShortTraceAsTheMessage()
    {
        var status = await RoundTripAsync("/minimal/ok");

        Assert.Matches(@"^Completed by POST /minimal/ok in \d+(\.\d+)? s \(attempt 1\)\.$", status.Message);
    }

    [Fact]
    public async Task BoundValues_FromRouteQueryHeaderAsParametersAndBody_ReachTheJob()
    {
        var response = await Host.RestCall.PostAsync("/minimal/bound/rates?count=3&currency=EUR&region=emea", TestData.ValidBody, workflowInstanceId: "wf-bound");
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal("rates", status.OutputValues["desk"]);
        Assert.Equal("3", status.OutputValues["count"]);
        Assert.Equal("wf-bound", status.OutputValues["workflow"]);
        Assert.Equal("EUR", status.OutputValues["currency"]);
        Assert.Equal("emea", status.OutputValues["region"]);
        Assert.Equal("EQ-1", status.OutputValues["portfolio"]);
    }

    [Fact]
    public async Task KeyedService_IsResolvedInTheJob()
    {
        var status = await RoundTripAsync("/minimal/keyed", new { });

        Assert.Equal("eu-feed", status.OutputValues["source"]);
    }

    [Fact]
    public async Task WithRetries2_SucceedingOnTheThirdAttempt_ReportsOneCompleted()
    {
        var response = await Host.RestCall.PostAsync("/minimal/flaky", TestData.ValidBody);

        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Equal(3, Host.Probe.CountFor(response.TaskInstanceId));
        AssertOneTerminalStatusAfterAnInProgressPerFailedAttempt(Scenario.StatusesFor(response.TaskInstanceId), failedAttempts: 2);
    }

    [Fact]
    public async Task WithRetries2_FailingEveryTime_ReportsOneErrorAfterTheThirdAttempt()
    {
        var response = await Host.RestCall.PostAsync("/minimal/flaky", new { portfolio = "EQ-1", urgent = true });

        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Error", status.Status);
        Assert.Equal("TimeoutException: Attempt 3 failed", status.Message);
        Assert.Equal(3, Host.Probe.CountFor(response.TaskInstanceId));
        AssertOneTerminalStatusAfterAnInProgressPerFailedAttempt(Scenario.StatusesFor(response.TaskInstanceId), failedAttempts: 2);
    }

    [Fact]
    public async Task AttributeOnAHandlerWithWithScenarioLongRunning_GivesItsSettings()
    {
        var status = await RoundTripAsync("/minimal/attributed", new { });

        Assert.Equal("Completed", status.Status);
        Assert.Equal("2", status.OutputValues["attempts"]);
    }

    [Fact]
    public async Task WithTimeout1_WorkThatNeverEnds_ReportsError504()
    {
        var status = await RoundTripAsync("/minimal/slow", new { });

        Assert.Equal("Error", status.Status);
        Assert.Equal("504", status.OutputValues["statusCode"]);
        Assert.Equal("The work timed out after 1 s and was cancelled.", status.Message);
    }

    [Fact]
    public async Task Progress_ThroughTheTaskContext_ReachesScenarioBeforeTheTerminalStatus()
    {
        var response = await Host.RestCall.PostAsync("/minimal/gated", new { });
        await Scenario.WaitForStatusesAsync(statuses => statuses.Any(s => s.TaskInstanceId == response.TaskInstanceId && s.ProgressPercentage == 10), Await.DefaultTimeout);
        Host.Probe.Gate.SetResult();

        await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        var statuses = Scenario.StatusesFor(response.TaskInstanceId);
        Assert.Equal("Completed", statuses[^1].Status);
        Assert.All(statuses.Take(statuses.Count - 1), s => Assert.Equal("InProgress", s.Status));
        Assert.Contains(statuses, s => s.ProgressPercentage == 10 && s.Message == "started");
    }

    [Fact]
    public async Task WorkJob_RestoresTheTaskContext()
    {
        var status = await RoundTripAsync("/minimal/context", new { });

        Assert.Equal(status.TaskInstanceId, status.OutputValues["task"]);
        Assert.Equal("wf-1", status.OutputValues["workflow"]);
    }

    [Fact]
    public async Task TwentyConcurrentDuplicates_MakeOneJobAndOneTerminalStatus()
    {
        var taskInstanceId = TestData.NewTaskId();
        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody, taskInstanceId: taskInstanceId)));

        Assert.All(calls, call => Assert.Equal(HttpStatusCode.Accepted, call.StatusCode));
        Assert.Single(calls.Select(call => call.JobId).Distinct());
        await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Await.DefaultTimeout);
        Assert.Equal(1, Host.Probe.CountFor(taskInstanceId));
        Assert.Single(Scenario.StatusesFor(taskInstanceId), s => s.IsTerminal);
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
public sealed class MinimalApiRoundTripTests_InMemoryStore() : MinimalApiRoundTripTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class MinimalApiRoundTripTests_PostgreSqlStore() : MinimalApiRoundTripTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class MinimalApiRoundTripTests_HangfireStore() : MinimalApiRoundTripTests(TaskStoreUnderTest.Hangfire);
