using Scenario.Receiver.Delivery;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Diagnostics;

/// <summary>Every log line written for a task, in the request and in both jobs, carries its task and workflow ids.</summary>
public abstract class LogScopeTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    private ScenarioStandIn _scenario = null!;
    private ReceiverTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _host = await ReceiverTestHost.StartAsync(store, _scenario, [typeof(ProgressController), typeof(ContextEchoController)]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    private async Task<RestCallResponse> RunLoggedTaskAsync(string workflowInstanceId)
    {
        var call = await _host.RestCall.PostAsync("/progress/logged", null, workflowInstanceId: workflowInstanceId);
        await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        // The report job logs its delivery once the stand-in has answered.
        await Await.UntilAsync(() => _host.Logs.Lines.Any(l => l.EventId == 1301), "the report job logs the delivery");
        return call;
    }

    private CapturedLogLine[] LinesOf<TCategory>()
    {
        var lines = _host.Logs.Lines.Where(l => l.Category == typeof(TCategory).FullName).ToArray();
        Assert.NotEmpty(lines);
        return lines;
    }

    private static void AssertScoped(IEnumerable<CapturedLogLine> lines, string taskInstanceId, string workflowInstanceId)
        => Assert.All(lines, line =>
        {
            Assert.Contains(new KeyValuePair<string, object?>("TaskInstanceId", taskInstanceId), line.ScopeValues);
            Assert.Contains(new KeyValuePair<string, object?>("WorkflowInstanceId", workflowInstanceId), line.ScopeValues);
        });

    [Fact]
    public async Task Request_LinesCarryTheTaskAndWorkflowIds()
    {
        var call = await RunLoggedTaskAsync("wf-request-scope");

        AssertScoped(LinesOf<TaskAcceptor>(), call.TaskInstanceId, "wf-request-scope");
        // MVC's lines of this request, which runs after the middleware (routing ran before it; start-up lines have no request).
        var requestLines = _host.Logs.Lines
            .Where(l => l.Category.StartsWith("Microsoft.AspNetCore.Mvc", StringComparison.Ordinal)
                && l.ScopeValues.Contains(new KeyValuePair<string, object?>("RequestPath", "/progress/logged")))
            .ToArray();
        Assert.NotEmpty(requestLines);
        AssertScoped(requestLines, call.TaskInstanceId, "wf-request-scope");
    }

    [Fact]
    public async Task WorkJob_LinesCarryTheIds_TheActionsOwnIncluded()
    {
        var call = await RunLoggedTaskAsync("wf-work-scope");

        AssertScoped(LinesOf<ScenarioWorkJob>(), call.TaskInstanceId, "wf-work-scope");
        var actionLine = Assert.Single(LinesOf<ProgressController>());
        Assert.Equal("Pricing portfolio EQ-1", actionLine.Message);
        AssertScoped([actionLine], call.TaskInstanceId, "wf-work-scope");
    }

    [Fact]
    public async Task Delivery_LinesCarryTheIds()
    {
        var call = await RunLoggedTaskAsync("wf-report-scope");

        AssertScoped(LinesOf<TerminalStatusDelivery>(), call.TaskInstanceId, "wf-report-scope");
    }

    [Fact]
    public async Task LaterRequestWithoutScenarioHeaders_CarriesNoTaskScope()
    {
        await RunLoggedTaskAsync("wf-leak");

        using var response = await _host.Client.GetAsync(new Uri("/echo", UriKind.Relative));

        response.EnsureSuccessStatusCode();
        var echoLines = _host.Logs.Lines
            .Where(l => l.ScopeValues.Contains(new KeyValuePair<string, object?>("RequestPath", "/echo")))
            .ToArray();
        Assert.NotEmpty(echoLines);
        Assert.All(echoLines, l => Assert.DoesNotContain(l.ScopeValues, v => v.Key is "TaskInstanceId" or "WorkflowInstanceId"));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class LogScopeTests_InMemoryStore() : LogScopeTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class LogScopeTests_PostgreSqlStore() : LogScopeTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class LogScopeTests_HangfireStore() : LogScopeTests(TaskStoreUnderTest.Hangfire);
