using System.Text.Json;
using Hangfire;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Diagnostics;

/// <summary>The API key never reaches a log line, a job argument, a job parameter or a job's state data.</summary>
public abstract class SecretLeakTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    private const string Secret = "sk-live-4f1a9c7e2b8d-DO-NOT-LEAK";
    private ScenarioStandIn _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { ApiKey = Secret });

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    [Fact]
    public async Task ApiKey_IsAbsentFromEveryLogLineAndAllJobData()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            _scenario, [typeof(TaskWorkController)], new() { ["Scenario:Reporting:MaxAttempts"] = "2" });

        var completed = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var failed = await host.RestCall.PostAsync("/tasks/throw", TestData.ValidBody);
        await _scenario.WaitForTerminalStatusAsync(completed.TaskInstanceId, Await.DefaultTimeout);
        await _scenario.WaitForTerminalStatusAsync(failed.TaskInstanceId, Await.DefaultTimeout);

        _scenario.FailNext(1, 401);
        var refused = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Await.UntilAsync(() => host.Logs.Lines.Any(l => l.EventId == 1304), "the refused report failed");
        _scenario.FailAll(503);
        var retried = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Await.UntilAsync(() => host.Logs.Lines.Any(l => l.EventId == 1303), "the retried report gave up");
        _scenario.FailAll(null);

        // Proof the capture sees the HTTP client's traffic at all, so the absence below means something.
        Assert.Contains(host.Logs.Lines, l => l.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
        Assert.Contains(_scenario.Requests, r => r.GetHeader("authorization") == "bearer " + Secret);

        var logs = host.Logs.AllText();
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);

        var jobData = AllJobData(host.Storage);
        Assert.Contains(completed.TaskInstanceId, jobData, StringComparison.Ordinal);
        Assert.Contains(refused.TaskInstanceId, jobData, StringComparison.Ordinal);
        Assert.Contains(retried.TaskInstanceId, jobData, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, jobData, StringComparison.Ordinal);
    }

    /// <summary>Everything the dashboard can show of every job: arguments, parameters, state history and data.</summary>
    private static string AllJobData(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var ids = monitoring.SucceededJobs(0, 1000).Select(j => j.Key)
            .Concat(monitoring.FailedJobs(0, 1000).Select(j => j.Key))
            .Concat(monitoring.DeletedJobs(0, 1000).Select(j => j.Key))
            .Concat(monitoring.ScheduledJobs(0, 1000).Select(j => j.Key))
            .Distinct()
            .ToList();
        Assert.NotEmpty(ids);
        return string.Join('\n', ids.Select(id =>
        {
            var details = monitoring.JobDetails(id);
            return JsonSerializer.Serialize(new
            {
                id,
                args = details.Job?.Args?.Select(a => a?.ToString()),
                method = details.Job?.Method.Name,
                details.Properties,
                history = details.History.Select(h => new { h.StateName, h.Reason, h.Data }),
            });
        }));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class SecretLeakTests_InMemoryStore() : SecretLeakTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class SecretLeakTests_PostgreSqlStore() : SecretLeakTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class SecretLeakTests_HangfireStore() : SecretLeakTests(TaskStoreUnderTest.Hangfire);
