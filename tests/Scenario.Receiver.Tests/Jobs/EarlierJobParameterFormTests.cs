using System.Text.Json;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// Work jobs already in storage carry the job parameter of the version before (the task's id and workflow beside the request
/// snapshot; both are the job's argument and the task's record now): they still run as if in their request, and the
/// deletion filter and the sweeper still find their task. The host writes that form itself, through a client filter.
/// </summary>
public abstract class EarlierJobParameterFormTests(TaskStoreUnderTest store) : StandInTest
{
    private const string EchoPath = "/tasks/echo";
    private const string ParkedPath = "/tasks/parked";
    private const string EarlierWorkflow = "wf-of-the-earlier-parameter";

    private Task<ReceiverTestHost> StartHostAsync(bool runHangfireServer = true)
        => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [],
            new() { ["Scenario:SweepInterval"] = "00:00:01" },
            runHangfireServer: runHangfireServer,
            map: app =>
            {
                app.MapPost(EchoPath, (HttpRequest request) => Results.Ok(new { tenant = request.Headers["X-Tenant"].ToString(), path = request.Path.Value }))
                    .WithScenarioLongRunning();
                app.MapPost(ParkedPath, () => Results.Ok(new { done = true })).WithScenarioLongRunning(queue: "parked");
            },
            jobFilters: inner => new PrependedJobFilters(inner, new EarlierParameterForm()));

    [Fact]
    public async Task WorkJobWithTheEarlierParameter_StoresThatForm_AndRunsAsIfInItsRequest()
    {
        await using var host = await StartHostAsync();

        var call = await host.RestCall.PostAsync(EchoPath, new { }, headers: [new("X-Tenant", "acme")]);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        using (var connection = host.Storage.GetConnection())
        {
            var stored = SerializationHelper.Deserialize<string>(connection.GetJobParameter(call.JobId!, TaskJobParameters.Name));
            Assert.StartsWith($"{{\"taskInstanceId\":\"{call.TaskInstanceId}\",", stored, StringComparison.Ordinal);
            Assert.Contains(",\"request\":{", stored, StringComparison.Ordinal);
            Assert.EndsWith($",\"workflowInstanceId\":\"{EarlierWorkflow}\"}}", stored, StringComparison.Ordinal);
        }

        Assert.Equal("Completed", status.Status);
        Assert.Equal("acme", status.OutputValues["tenant"]);
        Assert.Equal(EchoPath, status.OutputValues["path"]);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    [Fact]
    public async Task WorkJobWithTheEarlierParameter_DeletedBeforeItRan_IsHandedToAReportJob()
    {
        await using var host = await StartHostAsync(runHangfireServer: false);
        var call = await host.RestCall.PostAsync(ParkedPath, new { });

        Assert.True(host.Services.GetRequiredService<IBackgroundJobClient>().Delete(call.JobId!));

        var record = await host.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId);
        Assert.NotNull(record!.ReportJobId);
        Assert.Equal(EnqueuedState.StateName, host.Storage.StateOf(record.ReportJobId));
    }

    [Fact]
    public async Task WorkJobWithTheEarlierParameter_FailedForGood_IsSweptAndReportedErrorOnce()
    {
        await using var host = await StartHostAsync();
        var call = await host.RestCall.PostAsync(ParkedPath, new { });

        host.Services.GetRequiredService<IBackgroundJobClient>()
            .FailAfterItsRetries(host.Storage, call.JobId!, new InvalidOperationException("Failed by hand"), EnqueuedState.StateName);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Error", status.Status);
        Assert.Equal("The work job ended Failed without an outcome: Failed by hand", status.Message);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
    }

    /// <summary>Rewrites a new work job's parameter to what the version before wrote: its task id, the snapshot, its workflow.</summary>
    private sealed class EarlierParameterForm : IClientFilter
    {
        public void OnCreating(CreatingContext context)
        {
            if (context.Job.Type != typeof(ScenarioWorkJob))
            {
                return;
            }

            // In the order and shape that version's serializer wrote: id, trace, snapshot (embedded JSON), workflow.
            using var current = JsonDocument.Parse(context.Parameters.TryGetValue(TaskJobParameters.Name, out var value)
                ? SerializationHelper.Serialize(value, SerializationOption.User)
                : "{}");
            var earlier = $"{{\"taskInstanceId\":\"{context.Job.Args[1]}\""
                + (current.RootElement.TryGetProperty(TaskJobParameters.TraceParent, out var trace) ? $",\"traceParent\":{trace.GetRawText()}" : string.Empty)
                + (current.RootElement.TryGetProperty(TaskJobParameters.Request, out var request) ? $",\"request\":{request.GetRawText()}" : string.Empty)
                + $",\"workflowInstanceId\":\"{EarlierWorkflow}\"}}";
            context.SetJobParameter(TaskJobParameters.Name, earlier);
        }

        public void OnCreated(CreatedContext context)
        {
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class EarlierJobParameterFormTests_InMemoryStore() : EarlierJobParameterFormTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class EarlierJobParameterFormTests_PostgreSqlStore() : EarlierJobParameterFormTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class EarlierJobParameterFormTests_HangfireStore() : EarlierJobParameterFormTests(TaskStoreUnderTest.Hangfire);
