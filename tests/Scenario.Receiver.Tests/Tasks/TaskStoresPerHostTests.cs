using System.Net;
using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Recovery;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.InMemory;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// Every host has its own task store, from its own services, and Hangfire's filters that need it are built with those
/// services: nothing is found through a table keyed by storage, so hosts in one process never cross.
/// </summary>
public sealed class TaskStoresPerHostTests : StandInTest
{
    [Theory]
    [InlineData("InMemory")]
    [InlineData("PostgreSql")]
    [InlineData("Hangfire")]
    public async Task TwoHostsInOneProcessOnTwoStorages_NeverSeeEachOthersRecords_AndADeletionReportsOnItsOwnHost(string storeName)
    {
        var store = new[] { TaskStoreUnderTest.InMemory, TaskStoreUnderTest.PostgreSql, TaskStoreUnderTest.Hangfire }.Single(s => s.Name == storeName);
        await using var a = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);
        await using var b = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false);
        var taskId = TestData.NewTaskId();

        var atA = await a.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId);
        var atB = await b.RestCall.PostAsync("/tasks/value", TestData.ValidBody, taskId);
        a.Services.GetRequiredService<IBackgroundJobClient>().Delete(atA.JobId!);

        var recordAtA = await a.Services.GetRequiredService<ITaskStore>().FindAsync(taskId);
        var recordAtB = await b.Services.GetRequiredService<ITaskStore>().FindAsync(taskId);
        Assert.Equal(HttpStatusCode.Accepted, atB.StatusCode);
        Assert.Equal(atA.JobId, recordAtA!.JobId);
        Assert.Equal(atB.JobId, recordAtB!.JobId);
        Assert.Equal(2, a.Storage.TotalJobs()); // the work job and its report job
        // The deletion's filter is A's: its report job is in A's storage and A's record, none in B's.
        Assert.Equal(EnqueuedStateName, a.Storage.StateOf(recordAtA.ReportJobId!));
        Assert.Null(recordAtB.ReportJobId);
        Assert.Equal(1, b.Storage.TotalJobs());
    }

    [Fact]
    public async Task AJobFilterProviderRegisteredAfterTheReceiver_StopsTheHostAtStart_NamingTheOrder()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.InMemory,
            Scenario,
            [typeof(TaskWorkController)],
            runHangfireServer: false,
            configure: builder => builder.Services.AddSingleton<IJobFilterProvider>(new JobFilterCollection())));

        Assert.Contains("Register your own IJobFilterProvider before calling AddScenarioReceiver", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AJobFilterProviderOfTheApplication_RegisteredBefore_KeepsItsFiltersBesideTheReceivers()
    {
        var own = new JobFilterCollection { new MarkerFilter() };
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IJobFilterProvider>(own);
        services.AddIsolatedHangfire(new InMemoryStorage());
        services.AddScenarioReceiver(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = "http://127.0.0.1:9/",
            ["Scenario:ApiKey"] = "key",
        }).Build().GetSection("Scenario"));
        using var provider = services.BuildServiceProvider();

        var filters = provider.GetRequiredService<IJobFilterProvider>()
            .GetFilters(Job.FromExpression<ScenarioWorkJob>(work => work.RunAsync("entry", "id", "{}", null, CancellationToken.None)))
            .Select(filter => filter.Instance)
            .ToList();

        Assert.Contains(filters, filter => filter is MarkerFilter);
        Assert.Contains(filters, filter => filter is ReportWhenDeletedFilter);
    }

    [Fact]
    public async Task TwoHostsOnOneInMemoryStorage_WithTablesOfTheirOwn_TheSecondStopsAtStart()
    {
        var shared = new InMemoryStorage();
        await using var first = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.InMemory, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, storage: shared);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.InMemory,
            Scenario,
            [typeof(TaskWorkController)],
            runHangfireServer: false,
            storage: shared,
            configure: builder => builder.Services.AddSingleton(new InMemoryTaskTable())));

        Assert.Contains("another host in this process shares its Hangfire.InMemory storage", error.Message, StringComparison.Ordinal);
    }

    private const string EnqueuedStateName = "Enqueued";

    private sealed class MarkerFilter : Hangfire.States.IApplyStateFilter
    {
        public void OnStateApplied(Hangfire.States.ApplyStateContext context, Hangfire.Storage.IWriteOnlyTransaction transaction)
        {
        }

        public void OnStateUnapplied(Hangfire.States.ApplyStateContext context, Hangfire.Storage.IWriteOnlyTransaction transaction)
        {
        }
    }
}
