using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// The sweeper marks a stuck task "being recovered" outside the task's report lock, so its mark can land after the
/// task was reported (seen in the health check's test: Degraded for ever). A mark for a reported task counts nothing.
/// </summary>
public abstract class LateRecoveringMarkTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task MarkRecovering_AfterTheTaskWasReported_IsNotCounted()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        var records = host.Services.GetRequiredService<ITaskStore>();
        await Await.UntilAsync(async () => (await records.FindAsync(call.TaskInstanceId))?.IsReported == true, "the task is marked reported");

        await records.MarkRecoveringAsync(call.TaskInstanceId);

        Assert.Equal(0L, (await records.CountWaitingAsync()).Recovering);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class LateRecoveringMarkTests_InMemoryStore() : LateRecoveringMarkTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class LateRecoveringMarkTests_PostgreSqlStore() : LateRecoveringMarkTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class LateRecoveringMarkTests_HangfireStore() : LateRecoveringMarkTests(TaskStoreUnderTest.Hangfire);
