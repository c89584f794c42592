using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Request;

/// <summary>
/// Captures the <c>X-Scenario-*</c> headers into the request's scoped <see cref="ScenarioTaskContext"/>.
/// A request without them passes straight through: one header lookup, nothing allocated.
/// </summary>
internal sealed class ScenarioTaskContextMiddleware
{
    private readonly RequestDelegate _next;
    private readonly TaskContextCapture _capture;

    public ScenarioTaskContextMiddleware(RequestDelegate next, TaskContextCapture capture)
    {
        _next = next;
        _capture = capture;
    }

    public Task InvokeAsync(HttpContext httpContext)
    {
        if (!httpContext.Request.Headers.ContainsKey(ScenarioHeaderNames.TaskInstanceId))
        {
            return _next(httpContext);
        }

        return CaptureAndContinueAsync(httpContext);
    }

    private async Task CaptureAndContinueAsync(HttpContext httpContext)
    {
        var taskContext = httpContext.RequestServices.GetRequiredService<ScenarioTaskContext>();
        if (!await _capture.TryCaptureAsync(httpContext, taskContext).ConfigureAwait(false))
        {
            return;
        }

        // The scope must span the rest of the pipeline, so every log line of the request carries the task.
        using (_capture.BeginLogScope(taskContext))
        {
            await _next(httpContext).ConfigureAwait(false);
        }
    }
}
