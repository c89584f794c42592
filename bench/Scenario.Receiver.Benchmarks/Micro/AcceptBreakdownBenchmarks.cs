using BenchmarkDotNet.Attributes;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Entries.Mvc;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// The accept path taken apart, step by step, to see which step costs what (the profile behind
/// docs/benchmarks.md): argument capture, the task's lock with the dedupe read, the work job, the record
/// write, and the report continuation the accept path made before the work job reported by itself (kept to
/// show what that change removed). Fresh storage per iteration, as in <see cref="AcceptPathBenchmarks"/>.
/// It calls the jobs' internal signatures the way TaskAcceptor does, so it follows TaskAcceptor when that changes.
/// "3b" builds the Hangfire Job from a cached MethodInfo instead of an expression tree: the saving that
/// change would bring, measured rather than guessed.
/// </summary>
[Config(typeof(MicroConfig))]
[InvocationCount(InvocationsPerIteration, 1)]
public class AcceptBreakdownBenchmarks
{
    private const int InvocationsPerIteration = 4000;

    private static readonly System.Reflection.MethodInfo RunAsyncMethod = typeof(ScenarioWorkJob).GetMethod(nameof(ScenarioWorkJob.RunAsync))!;

    private ServiceProvider? _services;
    private IBackgroundJobClient _jobs = null!;
    private HangfireTaskStore _records = null!;
    private ILongRunningEntry _action = null!;
    private Dictionary<string, object?> _arguments = null!;
    private string[] _taskIds = [];
    private string[] _parentJobIds = [];
    private int _next;

    [IterationSetup]
    public void FreshStorage()
    {
        _services?.Dispose();
        _services = ReceiverServices.BuildAcceptingReceiver();

        _jobs = _services.GetRequiredService<IBackgroundJobClient>();
        // The generic store's steps, apart: on InMemory the receiver itself would choose the in-memory store.
        _records = ActivatorUtilities.CreateInstance<HangfireTaskStore>(_services);
        _action = _services.GetRequiredService<LongRunningEntryCatalog>().Entries.Single();
        _arguments = new Dictionary<string, object?> { ["request"] = PricingWork.SampleRequest() };
        _taskIds = Enumerable.Range(0, InvocationsPerIteration).Select(_ => Guid.NewGuid().ToString("D")).ToArray();

        // Parents for the continuation-only step, created outside the measurement.
        _parentJobIds = _taskIds.Select(CreateWorkJob).ToArray();
        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Description = "1 capture arguments (codec)")]
    public string CaptureArguments() => ArgumentCodec.Serialize(_action, new MvcBoundArguments(_arguments));

    [Benchmark(Description = "2 lock + dedupe read + release")]
    public object? LockAndRead()
    {
        using var locked = _records.LockForAccept(_taskIds[_next++]);
        return locked.Read();
    }

    [Benchmark(Description = "3 create work job")]
    public string CreateWork() => CreateWorkJob(_taskIds[_next++]);

    [Benchmark(Description = "3b create work job from a prebuilt Job")]
    public string CreateWorkPrebuilt()
    {
        var taskInstanceId = _taskIds[_next++];
        var job = new Hangfire.Common.Job(typeof(ScenarioWorkJob), RunAsyncMethod, _action.Key, taskInstanceId, "{}", null, CancellationToken.None);
        return _jobs.Create(job, new EnqueuedState(EnqueuedState.DefaultQueue));
    }

    /// <summary>What the accept path did before the work job reported by itself; kept to show what was removed.</summary>
    [Benchmark(Description = "4 report continuation (no longer made)")]
    public string ContinueWithReport()
    {
        var i = _next++;
        var taskInstanceId = _taskIds[i];
        return _jobs.ContinueJobWith<ScenarioReportJob>(
            _parentJobIds[i],
            job => job.DeliverAsync(taskInstanceId, 0, null, CancellationToken.None),
            new EnqueuedState(EnqueuedState.DefaultQueue),
            JobContinuationOptions.OnAnyFinishedState);
    }

    [Benchmark(Description = "5 lock + record write + release")]
    public void LockAndWrite()
    {
        var i = _next++;
        using var locked = _records.LockForAccept(_taskIds[i]);
        locked.WriteAccepted("wf-7781", null, _parentJobIds[i], EnqueuedState.DefaultQueue, _action.Key, DateTimeOffset.UnixEpoch);
    }

    private string CreateWorkJob(string taskInstanceId)
        => _jobs.Create<ScenarioWorkJob>(
            job => job.RunAsync(_action.Key, taskInstanceId, "{}", null, CancellationToken.None),
            new EnqueuedState(EnqueuedState.DefaultQueue));
}
