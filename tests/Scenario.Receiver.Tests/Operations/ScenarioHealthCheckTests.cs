using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Operations;

/// <summary>
/// The Scenario health check, read as a probe reads it (<c>GET /health</c>) and as code reads it
/// (<see cref="HealthCheckService"/>), with Scenario up, down, gone, hanging, and refusing reports.
/// </summary>
public abstract class ScenarioHealthCheckTests(TaskStoreUnderTest store) : StandInTest
{
    private Task<ReceiverTestHost> StartHostAsync(
        long undeliveredThreshold = ScenarioHealthChecksBuilderExtensions.DefaultUndeliveredThreshold,
        HealthStatus? failureStatus = null,
        Dictionary<string, string?>? settings = null,
        JobStorage? storage = null)
        => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(TaskWorkController)],
            settings,
            runHangfireServer: storage is not UnreachableStorage,
            storage: storage,
            configure: builder => builder.Services.AddHealthChecks().AddScenario(failureStatus: failureStatus, undeliveredThreshold: undeliveredThreshold),
            map: app =>
            {
                app.MapHealthChecks("/health");
                // Its work waits in a queue no server listens to, until the test ends the job by hand.
                app.MapPost("/tasks/parked", () => Results.Ok()).WithScenarioLongRunning(queue: "parked");
            });

    private static async Task<(HttpStatusCode Status, string Body)> ProbeAsync(ReceiverTestHost host)
    {
        using var response = await host.Client.GetAsync(new Uri("/health", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<HealthReportEntry> CheckAsync(ReceiverTestHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return Assert.Single(report.Entries, e => e.Key == ScenarioHealthChecksBuilderExtensions.DefaultName).Value;
    }

    [Fact]
    public async Task ScenarioUp_NothingWaiting_IsHealthy()
    {
        await using var host = await StartHostAsync();

        var probe = await ProbeAsync(host);
        var entry = await CheckAsync(host);

        Assert.Equal((HttpStatusCode.OK, "Healthy"), probe);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Scenario's TaskStatus service is up.", entry.Description);
        Assert.Equal(0L, entry.Data["undeliveredStatuses"]);
        Assert.Contains(Scenario.Requests, r => r.Method == "GET" && r.Path == "/taskstatus/api/ServiceStatus");
    }

    [Fact]
    public async Task ScenarioDown_ServiceStatus503_IsUnhealthy()
    {
        await using var host = await StartHostAsync();
        Scenario.IsDown = true;

        var probe = await ProbeAsync(host);
        var entry = await CheckAsync(host);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), probe);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Scenario's TaskStatus service answered 503 to its ServiceStatus probe, not 204.", entry.Description);
    }

    [Fact]
    public async Task ScenarioBackUp_IsHealthyAgain()
    {
        await using var host = await StartHostAsync();
        Scenario.IsDown = true;
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(host)).Status);

        Scenario.IsDown = false;

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
    }

    [Fact]
    public async Task ScenarioUnreachable_IsUnhealthy()
    {
        await using var host = await StartHostAsync();
        await Scenario.DisposeAsync();

        var probe = await ProbeAsync(host);
        var entry = await CheckAsync(host);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), probe);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("Scenario's TaskStatus service cannot be reached: ", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScenarioHanging_IsUnhealthyWithinTheHealthCheckTimeout_NotTheRequestTimeout()
    {
        await using var host = await StartHostAsync(settings: new()
        {
            ["Scenario:HealthCheckTimeout"] = "00:00:01",
            ["Scenario:Reporting:RequestTimeout"] = "00:02:00",
        });
        Scenario.ResponseDelay = TimeSpan.FromMinutes(5);

        var clock = Stopwatch.StartNew();
        var entry = await CheckAsync(host).WaitAsync(Await.DefaultTimeout);
        clock.Stop();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Scenario's TaskStatus service cannot be reached: no answer within 1 s (Scenario:HealthCheckTimeout)", entry.Description);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The check took {clock.Elapsed.TotalSeconds:0.#} s against a 1 s bound.");
    }

    [Fact]
    public async Task ScenarioAcceptsTheConnectionAndNeverAnswers_HealthAnswersUnhealthyWithinTheDefaultBound()
    {
        // A raw listener that takes connections and never writes a byte: the request timeout (2 min) is no help here.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                held.Add(await silent.AcceptTcpClientAsync());
            }
        });
        await using var host = await StartHostAsync(settings: new()
        {
            ["Scenario:BaseUrl"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/",
            ["Scenario:Reporting:RequestTimeout"] = "00:02:00",
        });

        var probe = await ProbeAsync(host).WaitAsync(Await.DefaultTimeout);
        var entry = await CheckAsync(host).WaitAsync(Await.DefaultTimeout);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), probe);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Scenario's TaskStatus service cannot be reached: no answer within 5 s (Scenario:HealthCheckTimeout)", entry.Description);
        Assert.Equal(TimeSpan.FromSeconds(5), ScenarioReceiverOptions.DefaultHealthCheckTimeout);
        Assert.NotEmpty(held);
        silent.Stop();
        held.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task ScenarioDown_WithFailureStatusDegraded_IsDegraded()
    {
        await using var host = await StartHostAsync(failureStatus: HealthStatus.Degraded);
        Scenario.IsDown = true;

        var probe = await ProbeAsync(host);

        Assert.Equal((HttpStatusCode.OK, "Degraded"), probe);
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(host)).Status);
    }

    [Fact]
    public async Task ReportRefused_BeyondTheThreshold_IsDegraded()
    {
        await using var host = await StartHostAsync(undeliveredThreshold: 0);
        Scenario.FailAll(401);
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.CountWaitingAsync()).Undelivered == 1, "the refused report is counted as undelivered");

        var probe = await ProbeAsync(host);
        var entry = await CheckAsync(host);

        Assert.Equal((HttpStatusCode.OK, "Degraded"), probe);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("1 terminal statuses wait for delivery to Scenario (threshold 0; their report jobs in the Hangfire dashboard say why).", entry.Description);
        Assert.Equal(1L, entry.Data["undeliveredStatuses"]);
        Assert.Equal(1L, entry.Data["tasksNotYetReported"]);
        Assert.Equal(0L, entry.Data["tasksAwaitingRecovery"]);
        Assert.Empty(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task ReportRetrying_IsDegradedUntilDelivered()
    {
        // One second between attempts: enough to read the health while the report waits for its next try.
        await using var host = await StartHostAsync(undeliveredThreshold: 0, settings: new() { ["Scenario:Reporting:RetryDelays:0"] = "00:00:01" });
        Scenario.FailAll(503);
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.CountWaitingAsync()).Undelivered == 1, "the retrying report is counted as undelivered");

        var whileRetrying = await CheckAsync(host);
        Scenario.FailAll(null);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(async () => (await records.CountWaitingAsync()).Undelivered == 0, "the delivered report is no longer counted");
        var afterDelivery = await CheckAsync(host);

        Assert.Equal(HealthStatus.Degraded, whileRetrying.Status);
        Assert.Equal(HealthStatus.Healthy, afterDelivery.Status);
    }

    [Fact]
    public async Task ReportRefused_WithinTheThreshold_IsHealthy()
    {
        await using var host = await StartHostAsync(undeliveredThreshold: 1);
        Scenario.FailAll(401);
        await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.CountWaitingAsync()).Undelivered == 1, "the refused report is counted as undelivered");

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1L, entry.Data["undeliveredStatuses"]);
    }

    [Fact]
    public async Task JobStorageUnreachable_IsUnhealthySayingWhatToCheck()
    {
        await using var host = await StartHostAsync(storage: new UnreachableStorage());

        var probe = await ProbeAsync(host);
        var entry = await CheckAsync(host);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), probe);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(
            "The Hangfire job storage cannot be reached (The job storage cannot be reached.): no task is accepted (new RestCalls get 503), worked or reported until it answers. Check the storage's server and connection string; finished work waits and is reported once it is back.",
            entry.Description);
    }

    [Fact]
    public async Task TaskAwaitingRecovery_IsDegradedUntilReported()
    {
        // Scenario refuses the sweeper's first post for now, so the recovered task waits for its report job.
        await using var host = await StartHostAsync(settings: new()
        {
            ["Scenario:SweepInterval"] = "00:00:01",
            ["Scenario:Reporting:RetryDelays:0"] = "01:00:00",
        });
        Scenario.FailAll(503);
        var call = await host.RestCall.PostAsync("/tasks/parked", TestData.ValidBody);
        host.Services.GetRequiredService<IBackgroundJobClient>()
            .FailAfterItsRetries(host.Storage, call.JobId!, new InvalidOperationException("Failed by hand"), EnqueuedState.StateName);
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.FindAsync(call.TaskInstanceId))?.ReportJobId is not null, "the sweeper's post failed and a report job took over");

        var probe = await ProbeAsync(host);
        var entry = await CheckAsync(host);

        Assert.Equal((HttpStatusCode.OK, "Degraded"), probe);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("1 tasks whose job ended without reporting are being recovered by the sweeper (Warnings 1701 in the log name them).", entry.Description);
        Assert.Equal(1L, entry.Data["tasksAwaitingRecovery"]);
        Assert.Equal(1L, entry.Data["undeliveredStatuses"]);

        Scenario.FailAll(null);
        host.Services.GetRequiredService<IBackgroundJobClient>().Requeue((await records.FindAsync(call.TaskInstanceId))!.ReportJobId!);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(async () => (await CheckAsync(host)).Status == HealthStatus.Healthy, "the check is Healthy once the task is reported");
    }

    [Fact]
    public void AddScenario_WithNegativeThreshold_Throws()
    {
        var builder = new ServiceCollection().AddHealthChecks();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddScenario(undeliveredThreshold: -1));

        Assert.Equal("undeliveredThreshold", error.ParamName);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioHealthCheckTests_InMemoryStore() : ScenarioHealthCheckTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioHealthCheckTests_PostgreSqlStore() : ScenarioHealthCheckTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioHealthCheckTests_HangfireStore() : ScenarioHealthCheckTests(TaskStoreUnderTest.Hangfire);
