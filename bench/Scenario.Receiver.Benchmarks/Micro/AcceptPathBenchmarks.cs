using BenchmarkDotNet.Attributes;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Entries.Mvc;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// The filter's accept path (argument capture, the dedupe under the task's lock, the work and report jobs,
/// the task record) on Hangfire.InMemory, against the hand-written <c>BackgroundJobClient.Enqueue</c> of an
/// equivalent job. Each iteration starts on a fresh, empty storage, so the storage's size is the same for both.
/// </summary>
[Config(typeof(MicroConfig))]
[InvocationCount(InvocationsPerIteration, 1)]
public class AcceptPathBenchmarks
{
    private const int InvocationsPerIteration = 4000;

    private readonly WorkRequest _request = PricingWork.SampleRequest();
    private ServiceProvider? _services;
    private IBackgroundJobClient _jobs = null!;
    private TaskAcceptor _acceptor = null!;
    private ILongRunningEntry _action = null!;
    private Dictionary<string, object?> _arguments = null!;
    private ScenarioTaskContext _task = null!;
    private ScenarioTaskContext _duplicate = null!;
    private string[] _taskIds = [];
    private int _next;

    [IterationSetup]
    public void FreshStorage()
    {
        _services?.Dispose();
        _services = ReceiverServices.BuildAcceptingReceiver();

        _jobs = _services.GetRequiredService<IBackgroundJobClient>();
        _acceptor = _services.GetRequiredService<TaskAcceptor>();
        _action = _services.GetRequiredService<LongRunningEntryCatalog>().Entries.Single();
        _arguments = new Dictionary<string, object?> { ["request"] = _request };

        _taskIds = Enumerable.Range(0, InvocationsPerIteration).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
        _next = 0;
        _task = new ScenarioTaskContext();
        _duplicate = new ScenarioTaskContext();
        _duplicate.Capture(Guid.NewGuid().ToString("D"), "wf-7781", null);
        _acceptor.AcceptAsync(_action, _duplicate, ArgumentCodec.Serialize(_action, new MvcBoundArguments(_arguments)), null).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true, Description = "hand-written Enqueue")]
    public string HandWritten_Enqueue()
    {
        var taskInstanceId = _taskIds[_next++];
        return _jobs.Enqueue<HandWrittenJob>(job => job.RunAsync(taskInstanceId, _request, CancellationToken.None));
    }

    [Benchmark(Description = "library: capture + accept")]
    public async Task<string> Library_CaptureAndAccept()
    {
        _task.Capture(_taskIds[_next++], "wf-7781", null);
        var argumentsJson = ArgumentCodec.Serialize(_action, new MvcBoundArguments(_arguments));
        return (await _acceptor.AcceptAsync(_action, _task, argumentsJson, null)).JobId;
    }

    [Benchmark(Description = "library: duplicate task id")]
    public async Task<string> Library_DuplicateAccept()
    {
        var argumentsJson = ArgumentCodec.Serialize(_action, new MvcBoundArguments(_arguments));
        return (await _acceptor.AcceptAsync(_action, _duplicate, argumentsJson, null)).JobId;
    }
}
