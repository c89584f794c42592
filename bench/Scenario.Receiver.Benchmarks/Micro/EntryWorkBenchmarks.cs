using System.Globalization;
using BenchmarkDotNet.Attributes;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.SideBySide;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Entries.Mvc;
using Scenario.Receiver.Request;
using Scenario.Receiver.Work;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// The work job's steps around the work, per entry, as WorkRunner takes them: a DI scope, the stand-in
/// <c>HttpContext</c> with the request snapshot restored, the arguments deserialized, the entry invoked (the MVC
/// action through its compiled invoker and a fresh controller, the minimal handler through its filter pipeline), and
/// the answer mapped to <c>outputValues</c>. The hand-written job gets its argument from Hangfire and builds its
/// dictionary by hand: the baseline. The request snapshot and arguments are the ones each entry's accept carries.
/// </summary>
[Config(typeof(MicroConfig))]
public class EntryWorkBenchmarks
{
    private readonly WorkRequest _request = PricingWork.SampleRequest();
    private SideBySideHost _host = null!;
    private IServiceScopeFactory _scopes = null!;
    private EndpointOutcomeMapper _mapper = null!;
    private ILongRunningEntry _mvc = null!;
    private ILongRunningEntry _minimal = null!;
    private string _mvcArguments = null!;
    private string _minimalArguments = null!;
    private string _snapshot = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = SideBySideHost.StartAsync(
            runJobs: false, new Uri("http://127.0.0.1:5999/"), "bench-key", workerCount: 1, new InMemoryStorage(), taskStore: null, inProcess: true).GetAwaiter().GetResult();
        var services = _host.Services;
        _scopes = services.GetRequiredService<IServiceScopeFactory>();
        _mapper = services.GetRequiredService<EndpointOutcomeMapper>();
        var entries = services.GetRequiredService<LongRunningEntryCatalog>().Entries;
        _mvc = entries.OfType<MvcEntry>().Single();
        _minimal = entries.Single(entry => entry is not MvcEntry);

        var arguments = new Dictionary<string, object?> { ["request"] = _request };
        _mvcArguments = ArgumentCodec.Serialize(_mvc, new MvcBoundArguments(arguments));
        _minimalArguments = ArgumentCodec.Serialize(_minimal, new MvcBoundArguments(arguments));

        // What the accept of POST /mvc captures with the load client's headers.
        var request = new DefaultHttpContext { RequestServices = services };
        request.Request.Method = HttpMethods.Post;
        request.Request.Scheme = "http";
        request.Request.Host = new HostString("127.0.0.1:5000");
        request.Request.Path = "/mvc";
        request.Request.RouteValues["action"] = "Post";
        request.Request.RouteValues["controller"] = "SideBySideLibrary";
        request.Request.ContentType = "application/json; charset=utf-8";
        request.Request.Headers["X-Scenario-TaskInstanceId"] = Guid.NewGuid().ToString("D");
        request.Request.Headers["X-Scenario-WorkflowInstanceId"] = "wf-bench";
        _snapshot = services.GetRequiredService<RequestSnapshotCapture>().Capture(request);
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "(b) hand-written: work + dictionary")]
    public Dictionary<string, string> HandWritten()
    {
        var result = PricingWork.Run(_request);
        return new Dictionary<string, string>
        {
            ["statusCode"] = "200",
            ["portfolio"] = result.Portfolio,
            ["quantity"] = result.Quantity.ToString(CultureInfo.InvariantCulture),
            ["notional"] = result.Notional.ToString(CultureInfo.InvariantCulture),
            ["urgent"] = result.Urgent ? "true" : "false",
            ["asOf"] = result.AsOf.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        };
    }

    [Benchmark(Description = "(c) MVC: restore, invoke, map")]
    public Task<object> Mvc() => RunAsync(_mvc, _mvcArguments);

    [Benchmark(Description = "(m) minimal API: restore, invoke, map")]
    public Task<object> MinimalApi() => RunAsync(_minimal, _minimalArguments);

    private async Task<object> RunAsync(ILongRunningEntry entry, string argumentsJson)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var task = scope.ServiceProvider.GetRequiredService<ScenarioTaskContext>();
        task.Capture("0b7c1e3a-52f4-4c57-9a8e-4f1d2c3b4a59", "wf-bench", null);
        var httpContext = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = CancellationToken.None };
        RequestSnapshotRestore.Apply(httpContext, _snapshot, task);
        var arguments = ArgumentCodec.Deserialize(entry, argumentsJson, httpContext);
        var answer = await entry.InvokeAsync(new EntryInvocation(httpContext, arguments));
        return _mapper.FromAnswer(answer, entry.JsonOptions);
    }
}
