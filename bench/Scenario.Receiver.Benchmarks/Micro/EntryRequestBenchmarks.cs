using System.Text;
using BenchmarkDotNet.Attributes;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Scenario.Receiver.Benchmarks.SideBySide;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// One accept, the whole request through the side-by-side host's pipeline (routing, MVC or the minimal API's binding,
/// the entry's filters, the accept, the 202 written) on an in-process server: no sockets and no HTTP client, so what
/// is left is the server side of each entry, and its allocations. The hand-written controller pays MVC's routing,
/// binding and output formatting too: it is the baseline. A fresh host and InMemory storage per iteration, so the
/// storage's size is the same for every entry.
/// </summary>
[Config(typeof(MicroConfig))]
[InvocationCount(InvocationsPerIteration, 1)]
public class EntryRequestBenchmarks
{
    private const int InvocationsPerIteration = 2000;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(PricingWork.RequestBody);

    private SideBySideHost? _host;
    private TestServer _server = null!;
    private string[] _taskIds = [];
    private int _next;

    [IterationSetup]
    public void FreshHost()
    {
        _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _host = SideBySideHost.StartAsync(
            runJobs: false, new Uri("http://127.0.0.1:5999/"), "bench-key", workerCount: 1, new InMemoryStorage(), taskStore: null, inProcess: true).GetAwaiter().GetResult();
        _server = _host.InProcessServer!;
        _taskIds = Enumerable.Range(0, InvocationsPerIteration).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "(b) hand-written controller")]
    public Task<int> HandWritten() => PostAsync(SideBySideEntry.HandWritten);

    [Benchmark(Description = "(c) MVC [ScenarioLongRunning]")]
    public Task<int> Mvc() => PostAsync(SideBySideEntry.Mvc);

    [Benchmark(Description = "(m) minimal API WithScenarioLongRunning()")]
    public Task<int> MinimalApi() => PostAsync(SideBySideEntry.MinimalApi);

    private async Task<int> PostAsync(SideBySideEntry entry)
    {
        var taskInstanceId = _taskIds[_next++];
        var context = await _server.SendAsync(http =>
        {
            var request = http.Request;
            request.Method = HttpMethods.Post;
            request.Path = "/" + entry.Path();
            request.ContentType = "application/json";
            request.ContentLength = Body.Length;
            request.Body = new MemoryStream(Body, writable: false);

            // The minimal API reads the body through the pipe: one over the stream just set, as a server's would be.
            http.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(http));
            http.Features.Set<IHttpRequestBodyDetectionFeature>(HasBody.Instance);
            request.Headers["X-Scenario-TaskInstanceId"] = taskInstanceId;
            request.Headers["X-Scenario-WorkflowInstanceId"] = "wf-bench";
        });
        var status = context.Response.StatusCode;
        return status == StatusCodes.Status202Accepted
            ? status
            : throw new InvalidOperationException($"{entry.Label()} answered {status}, not 202: {await new StreamReader(context.Response.Body).ReadToEndAsync()}");
    }

    /// <summary>The in-process server decides "no body" before the body is set; the minimal API asks it before it reads one.</summary>
    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly HasBody Instance = new();

        public bool CanHaveBody => true;
    }
}
