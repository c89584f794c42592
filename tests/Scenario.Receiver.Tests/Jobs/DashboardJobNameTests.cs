using System.Net;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>What an operator sees of a task's jobs in the Hangfire dashboard: named for the task, and nothing secret.</summary>
public abstract class DashboardJobNameTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    private const string WorkflowInstanceId = "wf-dashboard-5c1e";

    private ScenarioStandIn _scenario = null!;
    private ReceiverTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        // No Hangfire server: the jobs stay Enqueued, as an operator finds them during an outage.
        _host = await ReceiverTestHost.StartAsync(
            store,
            _scenario,
            [typeof(TaskWorkController)],
            runHangfireServer: false,
            // What AddHangfire would register for the dashboard; the test host registers Hangfire without its static side effects.
            configure: builder => builder.Services.AddSingleton(DashboardRoutes.Routes),
            map: app => app.UseHangfireDashboard(
                "/hangfire",
                new DashboardOptions { Authorization = [new AllowEveryone()] },
                app.Services.GetRequiredService<JobStorage>()));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    private async Task<string> PageAsync(string path)
    {
        using var response = await _host.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Decoded: the dashboard HTML-encodes names, and "·" may come as an entity.
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private async Task<RestCallResponse> AcceptAsync()
    {
        var call = await _host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, workflowInstanceId: WorkflowInstanceId);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call;
    }

    /// <summary>A task whose work job an operator deleted: its report job waits to tell Scenario it was cancelled.</summary>
    private async Task<(RestCallResponse Call, string ReportJobId)> AcceptAndDeleteAsync()
    {
        var call = await AcceptAsync();
        _host.Services.GetRequiredService<IBackgroundJobClient>().Delete(call.JobId!);
        var record = (await _host.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId));
        return (call, record!.ReportJobId!);
    }

    [Fact]
    public async Task WorkJobPage_NamesTheTaskAndActionAndShowsTheWorkflow()
    {
        var call = await AcceptAsync();

        var html = await PageAsync($"/hangfire/jobs/details/{call.JobId}");

        Assert.Contains($"Scenario {call.TaskInstanceId} · TaskWork.OkResult", html, StringComparison.Ordinal);
        Assert.Contains(WorkflowInstanceId, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportJobPage_NamesTheTask()
    {
        var (call, reportJobId) = await AcceptAndDeleteAsync();

        var html = await PageAsync($"/hangfire/jobs/details/{reportJobId}");

        Assert.Contains($"Report → Scenario {call.TaskInstanceId}", html, StringComparison.Ordinal);
        Assert.Contains(WorkflowInstanceId, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobLists_NameEachJobByItsTask()
    {
        var call = await AcceptAsync();
        var (cancelled, _) = await AcceptAndDeleteAsync();

        var work = await PageAsync("/hangfire/jobs/enqueued/default");
        var reports = await PageAsync($"/hangfire/jobs/enqueued/{ScenarioReportingOptions.ReportQueue}");

        Assert.Contains($"Scenario {call.TaskInstanceId} · TaskWork.OkResult", work, StringComparison.Ordinal);
        Assert.Contains($"Report → Scenario {cancelled.TaskInstanceId}", reports, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobPages_NeverShowTheApiKey()
    {
        var call = await AcceptAsync();
        var (cancelled, reportJobId) = await AcceptAndDeleteAsync();

        var pages = new[]
        {
            await PageAsync($"/hangfire/jobs/details/{call.JobId}"),
            await PageAsync($"/hangfire/jobs/details/{cancelled.JobId}"),
            await PageAsync($"/hangfire/jobs/details/{reportJobId}"),
            await PageAsync("/hangfire/jobs/enqueued/default"),
            await PageAsync("/hangfire/jobs/deleted"),
        };

        Assert.All(pages, html => Assert.DoesNotContain(_scenario.ApiKey, html, StringComparison.Ordinal));
    }

    /// <summary>TestServer requests are not local, so the dashboard's default filter would refuse them.</summary>
    private sealed class AllowEveryone : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class DashboardJobNameTests_InMemoryStore() : DashboardJobNameTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class DashboardJobNameTests_PostgreSqlStore() : DashboardJobNameTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class DashboardJobNameTests_HangfireStore() : DashboardJobNameTests(TaskStoreUnderTest.Hangfire);
