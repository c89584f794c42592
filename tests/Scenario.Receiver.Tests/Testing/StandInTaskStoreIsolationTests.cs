using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Testing;

/// <summary>
/// UseScenarioStandIn isolates the task store as it isolates Hangfire's storage: the sample app under
/// WebApplicationFactory&lt;Program&gt;, with a real PostgreSQL connection string in its configuration as production
/// would have it (appsettings, the environment), keeps its task records in memory unless the test asks for the
/// application's store. Runs once: the store is what it tests.
/// </summary>
public sealed class StandInTaskStoreIsolationTests(SharedPostgresServer postgres) : IClassFixture<SharedPostgresServer>, IAsyncLifetime
{
    private const string SchemaCount = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'scenario_receiver'";

    private ScenarioStandIn _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ScenarioStandIn.StartAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    [SkippableFact]
    public async Task TaskRun_ConnectionStringInTheAppsConfiguration_LeavesThatDatabaseWithoutSchemaOrRows()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var production = await postgres.CreateDatabaseAsync();
        await using var app = AppConfiguredWith(production, _ => { });

        var taskInstanceId = await RunPricingTaskAsync(app);

        Assert.Equal(0, await PostgresServer.ScalarAsync(production, SchemaCount));
        Assert.Equal(
            0,
            await PostgresServer.ScalarAsync(production, "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"));
        Assert.Single(_scenario.StatusesFor(taskInstanceId), status => status.IsTerminal);
    }

    [SkippableFact]
    public async Task TaskRun_KindPostgreSqlInTheAppsConfiguration_StillLeavesThatDatabaseUntouched()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var production = await postgres.CreateDatabaseAsync();
        await using var app = AppConfiguredWith(production, _ => { }, kind: "PostgreSql");

        var taskInstanceId = await RunPricingTaskAsync(app);

        Assert.Equal(0, await PostgresServer.ScalarAsync(production, SchemaCount));
        Assert.Single(_scenario.StatusesFor(taskInstanceId), status => status.IsTerminal);
    }

    [SkippableFact]
    public async Task TaskRun_UseApplicationTaskStore_RecordsTheTaskInTheConfiguredDatabase()
    {
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var throwaway = await postgres.CreateDatabaseAsync();
        await using var app = AppConfiguredWith(throwaway, host => host.UseApplicationTaskStore = true);

        var taskInstanceId = await RunPricingTaskAsync(app);

        Assert.Equal(1, await PostgresServer.ScalarAsync(throwaway, SchemaCount));
        Assert.Equal(
            1,
            await PostgresServer.ScalarAsync(throwaway, $"SELECT count(*) FROM scenario_receiver.task WHERE task_instance_id = '{taskInstanceId}' AND reported_status = 'Completed'"));
    }

    /// <summary>The connection string as appsettings or the environment would give it: a configuration source before the test's own.</summary>
    private WebApplicationFactory<Program> AppConfiguredWith(string connectionString, Action<ScenarioStandInHostOptions> configure, string? kind = null)
        => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Scenario:TaskStore:ConnectionString"] = connectionString,
                ["Scenario:TaskStore:Kind"] = kind,
            }));
            web.UseScenarioStandIn(_scenario, configure);
        });

    private async Task<string> RunPricingTaskAsync(WebApplicationFactory<Program> app)
    {
        using var client = app.CreateClient();
        var call = await new ScenarioRestCall(client).PostAsync("/api/pricing/runs", new { Portfolio = "EQ-1", DurationMs = 50, Fail = false });
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        var done = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, done.Status);

        // The record is written after Scenario took the status: wait for it before looking at the database.
        await new TaskStatusEndpointClient(client).WaitUntilAsync(call.TaskInstanceId, view => view.ReportedStatus is not null, Await.DefaultTimeout);
        return call.TaskInstanceId;
    }
}
