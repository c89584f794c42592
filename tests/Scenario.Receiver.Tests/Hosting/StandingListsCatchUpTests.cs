using System.Net;
using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Hosting;

/// <summary>
/// The generic store's lists per standing for tasks a version before those lists accepted: they are in the accepted set
/// and in no standing's set, and the next start places them, instead of leaving them under All until their next change.
/// </summary>
public sealed class StandingListsCatchUpTests : StandInTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GenericStore_TasksAnEarlierVersionAccepted_JoinTheirStandingsListsAtTheNextStart()
    {
        using var storage = new InMemoryStorage();
        string delivered;
        string deferred;
        await using (var first = await StartAsync(storage))
        {
            delivered = await CallAsync(first, "/deferring/brief/0");
            await Await.UntilAsync(async () => (await Records(first).FindAsync(delivered))?.IsReported == true, "the task is reported", Timeout);
            deferred = await CallAsync(first, "/deferring/defer/600000");
            await Await.UntilAsync(async () => (await Records(first).FindAsync(deferred))?.DeferredUntil is not null, "the task is deferred", Timeout);

            // As the version before the lists per standing left its tasks: accepted, in no standing's set.
            using (var connection = storage.GetConnection())
            using (var transaction = connection.CreateWriteTransaction())
            {
                foreach (var standing in TaskStandings.All)
                {
                    transaction.RemoveFromSet(HangfireTaskKeys.StandingSetKey(standing), delivered);
                    transaction.RemoveFromSet(HangfireTaskKeys.StandingSetKey(standing), deferred);
                }

                transaction.Commit();
            }

            Assert.Empty(await ListedAsync(first, TaskStanding.Delivered));
            Assert.Empty(await ListedAsync(first, TaskStanding.Deferred));
        }

        await using var second = await StartAsync(storage);

        await Await.UntilAsync(
            async () => (await ListedAsync(second, TaskStanding.Delivered)).SequenceEqual([delivered]) && (await ListedAsync(second, TaskStanding.Deferred)).SequenceEqual([deferred]),
            "each task is listed under its standing",
            Timeout);
        foreach (var standing in TaskStandings.All.Where(standing => standing is not TaskStanding.Delivered and not TaskStanding.Deferred))
        {
            Assert.Empty(await ListedAsync(second, standing));
        }

        await Await.UntilAsync(() => second.Logs.Lines.Any(line => line.EventId == 1806 && line.Message.Contains("Placed 2 ", StringComparison.Ordinal)), "the catch-up is logged", Timeout);
    }

    private Task<ReceiverTestHost> StartAsync(InMemoryStorage storage)
        => ReceiverTestHost.StartAsync(TaskStoreUnderTest.Hangfire, Scenario, [typeof(DeferringController)], storage: storage);

    private static ITaskStore Records(ReceiverTestHost host) => host.Services.GetRequiredService<ITaskStore>();

    private static async Task<string> CallAsync(ReceiverTestHost host, string path)
    {
        var call = await host.RestCall.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call.TaskInstanceId;
    }

    private static async Task<IReadOnlyList<string>> ListedAsync(ReceiverTestHost host, TaskStanding standing)
        => [.. (await Records(host).ListAsync(TaskListFilter.Only(standing), 0, 50)).Tasks.Select(task => task.TaskInstanceId)];
}
