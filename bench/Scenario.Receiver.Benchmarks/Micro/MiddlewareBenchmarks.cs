using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// The task-context middleware on a request without Scenario headers (every ordinary request of the
/// host pays this) and with them, against a bare pass-through middleware around the same terminal delegate.
/// </summary>
[Config(typeof(MicroConfig))]
public class MiddlewareBenchmarks
{
    private static readonly RequestDelegate Terminal = _ => Task.CompletedTask;

    private ServiceProvider _services = null!;
    private IServiceScope _scope = null!;
    private RequestDelegate _passThrough = null!;
    private ScenarioTaskContextMiddleware _middleware = null!;
    private DefaultHttpContext _plainRequest = null!;
    private DefaultHttpContext _scenarioRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddBenchReceiver().BuildServiceProvider();

        // ASP.NET Core creates the request scope before any middleware runs: not the middleware's cost.
        _scope = _services.CreateScope();
        _middleware = new ScenarioTaskContextMiddleware(Terminal, _services.GetRequiredService<TaskContextCapture>());
        _passThrough = context => Terminal(context);

        _plainRequest = NewRequest();
        _plainRequest.Request.Headers.ContentType = "application/json";
        _plainRequest.Request.Headers.Accept = "application/json";

        _scenarioRequest = NewRequest();
        _scenarioRequest.Request.Headers.ContentType = "application/json";
        _scenarioRequest.Request.Headers.Accept = "application/json";
        _scenarioRequest.Request.Headers[ScenarioHeaderNames.TaskInstanceId] = "364e21c2-25bf-497d-9583-3d359e7cbf91";
        _scenarioRequest.Request.Headers[ScenarioHeaderNames.WorkflowInstanceId] = "wf-7781";
        _scenarioRequest.Request.Headers[ScenarioHeaderNames.TaskStatusUrl] = "https://scenario.example.com/taskstatus/api/task-statuses";
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare pass-through delegate")]
    public Task PassThrough() => _passThrough(_plainRequest);

    [Benchmark(Description = "middleware, no Scenario headers")]
    public Task Middleware_WithoutScenarioHeaders() => _middleware.InvokeAsync(_plainRequest);

    [Benchmark(Description = "middleware, Scenario headers")]
    public Task Middleware_WithScenarioHeaders() => _middleware.InvokeAsync(_scenarioRequest);

    private DefaultHttpContext NewRequest() => new() { RequestServices = _scope.ServiceProvider };
}
