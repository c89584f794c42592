using Hangfire.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// Scenario:TaskStore:Kind chooses the store, a host says at start-up which one it uses and why (event 1804), and a
/// choice the host cannot keep stops it at start-up with a message that names the fix.
/// </summary>
public sealed class TaskStoreChoiceTests : StandInTest
{
    private const int TaskStoreChosenEventId = 1804;

    [Fact]
    public async Task Host_ConnectionStringWithoutUsePostgreSqlTaskStore_FailsAtStartNamingThePackageAndTheCall()
    {
        // As an application upgraded from the package that held the table store, without the new package.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = Scenario.BaseUrl.ToString(),
            ["Scenario:ApiKey"] = Scenario.ApiKey,
            ["Scenario:TaskStore:ConnectionString"] = "Host=db;Database=jobs;Username=app;Password=secret",
        });
        builder.Services.AddIsolatedHangfire(new InMemoryStorage());
        builder.Services.AddScenarioReceiver(builder.Configuration.GetSection("Scenario"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            "Scenario:TaskStore:ConnectionString is set, but the PostgreSQL task store that uses it is not registered: add the package Scenario.Receiver.PostgreSql and call services.AddScenarioReceiver(...).UsePostgreSqlTaskStore(), or remove the setting to keep the task records in Hangfire's storage.",
            Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Host_KindPostgreSqlWithoutConnectionString_FailsAtStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], new() { ["Scenario:TaskStore:Kind"] = "PostgreSql" }, runHangfireServer: false));

        Assert.Equal(
            "Scenario:TaskStore:Kind is PostgreSql, but Scenario:TaskStore:ConnectionString is empty: set it to the database of the task table, e.g. Host=db;Database=jobs;Username=app;Password=….",
            Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Host_KindInMemoryOnAStorageOtherThanHangfireInMemory_FailsAtStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], new() { ["Scenario:TaskStore:Kind"] = "InMemory" }, runHangfireServer: false, storage: new UnreachableStorage()));

        Assert.StartsWith(
            $"Scenario:TaskStore:Kind is InMemory, but the Hangfire storage is {typeof(UnreachableStorage).FullName}, not Hangfire.InMemory: the task records would stay in this process",
            error.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "in-memory:", "Scenario:TaskStore:Kind is Automatic and the Hangfire storage is Hangfire.InMemory, in this process alone: the records are kept beside it")]
    [InlineData("InMemory", "in-memory:", "Scenario:TaskStore:Kind is InMemory and the Hangfire storage is Hangfire.InMemory, in this process alone")]
    [InlineData("Hangfire", "hangfire", "Scenario:TaskStore:Kind is Hangfire: the records are kept in the Hangfire storage (Hangfire.InMemory.InMemoryStorage) through its generic API")]
    public async Task Host_Kind_UsesThatStoreAndLogsWhichAndWhy(string? kind, string storeNamePrefix, string reason)
    {
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], new() { ["Scenario:TaskStore:Kind"] = kind }, runHangfireServer: false);

        var store = host.Services.GetRequiredService<ITaskStore>();
        var line = Assert.Single(host.Logs.Lines, l => l.EventId == TaskStoreChosenEventId);

        Assert.StartsWith(storeNamePrefix, store.Name, StringComparison.Ordinal);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, line.Level);
        Assert.Equal($"The Scenario receiver keeps its task records in {store.Name}: {reason}", line.Message);
    }

    [SkippableFact]
    public async Task Host_ConnectionStringWithUsePostgreSqlTaskStore_UsesTheTableAndLogsWhy()
    {
        var postgres = await SharedPostgresServer.GetAsync();
        Skip.IfNot(postgres.IsAvailable, postgres.UnavailableReason);
        var database = await postgres.CreateDatabaseAsync();
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], new() { ["Scenario:TaskStore:ConnectionString"] = database }, runHangfireServer: false);

        var line = Assert.Single(host.Logs.Lines, l => l.EventId == TaskStoreChosenEventId);

        Assert.StartsWith("postgresql:", host.Services.GetRequiredService<ITaskStore>().Name, StringComparison.Ordinal);
        Assert.EndsWith(": Scenario:TaskStore:Kind is Automatic, Scenario:TaskStore:ConnectionString is set and UsePostgreSqlTaskStore() registered the PostgreSQL task table", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorePackage_ReferencesNoDatabaseDriver()
    {
        var references = typeof(ScenarioReceiverOptions).Assembly.GetReferencedAssemblies().Select(name => name.Name).ToList();

        Assert.DoesNotContain(references, name => name is not null && (name.StartsWith("Npgsql", StringComparison.Ordinal) || name.Contains("PostgreSql", StringComparison.Ordinal)));
        Assert.DoesNotContain(typeof(ScenarioReceiverOptions).Assembly.GetTypes(), type => type.Name.Contains("PostgreSql", StringComparison.Ordinal));
    }
}
