using BenchmarkDotNet.Attributes;
using Hangfire.InMemory;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// The report job's storage work around the post to Scenario, on Hangfire.InMemory: the task's report lock,
/// the record read, the "reported" write, the release. Each storage commit is a hand-off to InMemory's
/// dispatcher thread (a database transaction on PostgreSQL), so the number of commits is what counts.
/// </summary>
[Config(typeof(MicroConfig))]
[InvocationCount(InvocationsPerIteration, 1)]
public class ReportRecordBenchmarks
{
    private const int InvocationsPerIteration = 4000;

    private HangfireTaskStore _records = null!;
    private string[] _taskIds = [];
    private int _next;

    [IterationSetup]
    public void FreshStorage()
    {
        _records = new HangfireTaskStore(new InMemoryStorage(), Options.Create(new ScenarioReceiverOptions()), TimeProvider.System);
        _taskIds = Enumerable.Range(0, InvocationsPerIteration).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
        foreach (var taskInstanceId in _taskIds)
        {
            using var locked = _records.LockForAccept(taskInstanceId);
            locked.WriteAccepted("wf-7781", null, "1", "default", "Library.Post", DateTimeOffset.UnixEpoch);
        }

        _next = 0;
    }

    [Benchmark(Description = "report lock + read + WriteReported + release")]
    public async Task MarkReported()
    {
        // The Hangfire store completes synchronously (its storage API is synchronous): no thread waits here.
        using var locked = (HangfireTaskLock)await _records.LockForReportAsync(_taskIds[_next++]);
        _ = locked.Read();
        locked.WriteReported("Completed", DateTimeOffset.UnixEpoch);
    }
}
