using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Reporting;

/// <summary>X-Scenario-TaskStatusUrl comes from the caller: the API key goes only where configuration allows.</summary>
public abstract class StatusUrlPolicyTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    private ScenarioStandIn _scenario = null!;
    private ScenarioStandIn _other = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _other = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { ApiKey = _scenario.ApiKey });
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Fact]
    public async Task ForeignStatusUrl_IsNeverContacted_AndTheReportGoesToBaseUrl()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, _scenario, [typeof(TaskWorkController)]);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskStatusUrl: _other.TaskStatusesUrl.ToString());
        await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(0, _other.RequestCount);
        Assert.Single(_scenario.StatusesFor(call.TaskInstanceId));
        Assert.True(host.Logs.Lines.Any(l => l.EventId == 1002 && l.Level == Microsoft.Extensions.Logging.LogLevel.Debug), string.Join("\n", host.Logs.Lines.Where(l => l.Category.StartsWith("Scenario", StringComparison.Ordinal)).Select(l => l.FullText)));
    }

    [Fact]
    public async Task StatusUrlWithAnAllowedOrigin_ReceivesTheReport()
    {
        var allowedOrigin = _other.BaseUrl.GetLeftPart(UriPartial.Authority);
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            _scenario, [typeof(TaskWorkController)], new() { ["Scenario:AllowedStatusUrlOrigins:0"] = allowedOrigin });

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskStatusUrl: _other.TaskStatusesUrl.ToString());
        var status = await _other.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.Empty(_scenario.StatusesFor(call.TaskInstanceId));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class StatusUrlPolicyTests_InMemoryStore() : StatusUrlPolicyTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class StatusUrlPolicyTests_PostgreSqlStore() : StatusUrlPolicyTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class StatusUrlPolicyTests_HangfireStore() : StatusUrlPolicyTests(TaskStoreUnderTest.Hangfire);
