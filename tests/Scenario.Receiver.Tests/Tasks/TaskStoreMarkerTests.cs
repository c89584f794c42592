using Hangfire.InMemory;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>Instances sharing a Hangfire storage keep their task records in one store, or the latecomer does not start.</summary>
public abstract class TaskStoreMarkerTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task SecondInstanceOnAnotherTaskStore_StopsAtStartNamingTheSetting()
    {
        var shared = new InMemoryStorage();
        await using var first = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, storage: shared);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(TaskWorkController)],
            new() { ["Scenario:TaskStore:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=other_jobs;Username=app;Password=not-in-the-message" },
            runHangfireServer: false,
            storage: shared));

        Assert.StartsWith("This instance keeps its Scenario task records in postgresql:other_jobs/", error.Message, StringComparison.Ordinal);
        Assert.Contains("Give every instance the same Scenario:TaskStore settings", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-in-the-message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondInstanceOnTheSameTaskStore_Starts()
    {
        var shared = new InMemoryStorage();
        await using var first = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, storage: shared);
        await using var second = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, storage: shared);

        var call = await second.RestCall.PostAsync("/tasks/value", TestData.ValidBody);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, call.StatusCode);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TaskStoreMarkerTests_InMemoryStore() : TaskStoreMarkerTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TaskStoreMarkerTests_PostgreSqlStore() : TaskStoreMarkerTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TaskStoreMarkerTests_HangfireStore() : TaskStoreMarkerTests(TaskStoreUnderTest.Hangfire);
