using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Request;

/// <summary>
/// Reads the headers into a <see cref="ScenarioTaskContext"/>, or answers 400 problem+json naming the
/// bad header. Shared by the middleware and by the long-running filter, which captures the headers
/// itself when the middleware was left out of the pipeline.
/// </summary>
internal sealed class TaskContextCapture
{
    private readonly ILogger<TaskContextCapture> _logger;
    private int _statusUrlNoticeLogged;

    public TaskContextCapture(ILogger<TaskContextCapture> logger) => _logger = logger;

    /// <returns><see langword="false"/> when the request was answered with 400 and must go no further.</returns>
    public async ValueTask<bool> TryCaptureAsync(HttpContext httpContext, ScenarioTaskContext taskContext)
    {
        var read = TaskHeaderReader.Read(httpContext.Request.Headers);
        if (read.IsInvalid)
        {
            Log.InvalidTaskHeader(_logger, read.InvalidHeader!, read.Problem!);
            taskContext.Capture(null, null, null);
            await ProblemResponses.InvalidHeader(read.InvalidHeader!, read.Problem!).ExecuteAsync(httpContext).ConfigureAwait(false);
            return false;
        }

        if (read.StatusUrlIgnoredBecause is not null && Interlocked.Exchange(ref _statusUrlNoticeLogged, 1) == 0)
        {
            Log.TaskStatusUrlIgnored(_logger, read.StatusUrlIgnoredBecause);
        }

        taskContext.Capture(read.TaskInstanceId, read.WorkflowInstanceId, read.TaskStatusUrl);
        return true;
    }

    public IDisposable? BeginLogScope(ScenarioTaskContext taskContext)
        => taskContext.IsScenarioTask ? _logger.BeginScope(new TaskLogScope(taskContext.TaskInstanceId!, taskContext.WorkflowInstanceId)) : null;
}
