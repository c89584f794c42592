using System.Collections.Concurrent;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// What a completed task costs in record reads on the work path: the work job's one read before the work, and the
/// delivery's under the report lock. Progress posts read nothing (each begins with one conditional write), and the
/// work's outcome, when its decision wins, is posted from memory. A store that counts the reads stands in front of
/// the host's own (no fault is involved, only counting). The number is in docs/benchmarks.md.
/// </summary>
public abstract class WorkPathRecordReadsTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task CompletedTaskWithProgress_ReadsItsRecordTwice()
    {
        CountingStore? counting = null;
        await using var host = await ReceiverTestHost.StartAsync(
            store, Scenario, [typeof(ProgressController)],
            configure: builder => DelegatingTaskStore.Decorate(builder.Services, inner => counting = new CountingStore(inner)));

        var call = await host.RestCall.PostAsync("/progress/paced", TestData.ValidBody);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) == "Succeeded", "the work job ends");

        Assert.Equal("Completed", status.Status);
        Assert.Equal(2, Scenario.StatusesFor(call.TaskInstanceId).Count(s => !s.IsTerminal));
        Assert.Equal(2, counting!.ReadsOf(call.TaskInstanceId));
    }

    /// <summary>Counts the calls that read a task's record: a find that finds it, and the lock takes that return it.</summary>
    private sealed class CountingStore(ITaskStore inner) : DelegatingTaskStore(inner)
    {
        private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

        public int ReadsOf(string taskInstanceId) => _reads.GetValueOrDefault(taskInstanceId);

        public override async ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        {
            var record = await base.FindAsync(taskInstanceId, cancellationToken);

            // A find that comes back empty is the work job waiting for its accept to record the task (a worker can fetch the
            // job first): that wait's polls are the race's, tested in ScenarioWorkJobTests, not the path's reads.
            if (record is not null)
            {
                Count(taskInstanceId);
            }

            return record;
        }

        public override ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        {
            Count(taskInstanceId);
            return base.LockForDecideAsync(taskInstanceId, cancellationToken);
        }

        public override ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        {
            Count(taskInstanceId);
            return base.LockForReportAsync(taskInstanceId, cancellationToken);
        }

        private void Count(string taskInstanceId) => _reads.AddOrUpdate(taskInstanceId, 1, (_, n) => n + 1);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class WorkPathRecordReadsTests_InMemoryStore() : WorkPathRecordReadsTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class WorkPathRecordReadsTests_PostgreSqlStore() : WorkPathRecordReadsTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class WorkPathRecordReadsTests_HangfireStore() : WorkPathRecordReadsTests(TaskStoreUnderTest.Hangfire);
