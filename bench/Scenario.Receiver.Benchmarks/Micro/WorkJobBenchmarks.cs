using BenchmarkDotNet.Attributes;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.SideBySide;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Entries.Mvc;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Request;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// One work job's run, as Hangfire's activator runs it (a DI scope, the job class from it), without Hangfire's own
/// processing around it (the fetch, the state changes, the filters): the library's <see cref="ScenarioWorkJob"/> for an
/// accepted task of each entry (record read, the entry invoked, the outcome decided and delivered under the report lock,
/// the record marked reported) against the hand-written job (the work, a dictionary, the post). Both post to the same
/// in-process Scenario stand-in over loopback. Tasks are accepted before each iteration, outside the measurement.
/// </summary>
[Config(typeof(MicroConfig))]
[InvocationCount(InvocationsPerIteration, 1)]
public class WorkJobBenchmarks
{
    private const int InvocationsPerIteration = 500;

    private readonly WorkRequest _request = PricingWork.SampleRequest();
    private ScenarioStandIn _scenario = null!;
    private SideBySideHost _host = null!;
    private IServiceScopeFactory _scopes = null!;
    private ILongRunningEntry _mvc = null!;
    private ILongRunningEntry _minimal = null!;
    private string _arguments = null!;
    private string _snapshot = null!;
    private string[] _taskIds = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ScenarioStandIn.StartAsync().GetAwaiter().GetResult();
        _host = SideBySideHost.StartAsync(
            runJobs: false, _scenario.BaseUrl, _scenario.ApiKey, workerCount: 1, new InMemoryStorage(), taskStore: null, inProcess: true).GetAwaiter().GetResult();
        _scopes = _host.Services.GetRequiredService<IServiceScopeFactory>();
        var entries = _host.Services.GetRequiredService<LongRunningEntryCatalog>().Entries;
        _mvc = entries.OfType<MvcEntry>().Single();
        _minimal = entries.Single(entry => entry is not MvcEntry);
        _arguments = ArgumentCodec.Serialize(_mvc, new MvcBoundArguments(new Dictionary<string, object?> { ["request"] = _request }));

        var request = new DefaultHttpContext { RequestServices = _host.Services };
        request.Request.Method = HttpMethods.Post;
        request.Request.Scheme = "http";
        request.Request.Path = "/mvc";
        request.Request.ContentType = "application/json";
        _snapshot = _host.Services.GetRequiredService<RequestSnapshotCapture>().Capture(request);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _scenario.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(HandWritten))]
    public void FreshTaskIds() => Accept(null);

    [IterationSetup(Target = nameof(Mvc))]
    public void AcceptForMvc() => Accept(_mvc);

    [IterationSetup(Target = nameof(MinimalApi))]
    public void AcceptForMinimalApi() => Accept(_minimal);

    [Benchmark(Baseline = true, Description = "(b) hand-written job: work, dictionary, post")]
    public async Task HandWritten()
    {
        await using var scope = _scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<HandWrittenJob>().RunAsync(_taskIds[_next++], _request, CancellationToken.None);
    }

    [Benchmark(Description = "(c) ScenarioWorkJob, MVC action")]
    public Task Mvc() => RunAsync(_mvc);

    [Benchmark(Description = "(m) ScenarioWorkJob, minimal API")]
    public Task MinimalApi() => RunAsync(_minimal);

    private async Task RunAsync(ILongRunningEntry entry)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var job = ActivatorUtilities.GetServiceOrCreateInstance<ScenarioWorkJob>(scope.ServiceProvider);
        await job.RunAsync(entry.Key, _taskIds[_next++], _arguments, null, CancellationToken.None);
    }

    private void Accept(ILongRunningEntry? entry)
    {
        _scenario.Reset();
        _taskIds = Enumerable.Range(0, InvocationsPerIteration).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
        _next = 0;
        if (entry is null)
        {
            return;
        }

        using var scope = _scopes.CreateScope();
        var acceptor = scope.ServiceProvider.GetRequiredService<TaskAcceptor>();
        foreach (var taskInstanceId in _taskIds)
        {
            var task = new ScenarioTaskContext();
            task.Capture(taskInstanceId, "wf-bench", null);
            acceptor.AcceptAsync(entry, task, _arguments, _snapshot).AsTask().GetAwaiter().GetResult();
        }
    }
}
