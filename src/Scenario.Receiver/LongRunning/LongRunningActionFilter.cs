using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// The filter behind <see cref="ScenarioLongRunningAttribute"/>. It is an action filter because it needs
/// the bound arguments: by the time it runs, routing, authorization, model binding and validation are
/// done. It does not call the action; it hands the task to <see cref="TaskAcceptor"/> and answers 202.
/// </summary>
internal sealed class LongRunningActionFilter : IAsyncActionFilter
{
    private readonly LongRunningActionCatalog _catalog;
    private readonly ActionArgumentCodec _codec;
    private readonly TaskAcceptor _acceptor;
    private readonly TaskContextCapture _capture;
    private readonly ScenarioReceiverOptions _options;
    private readonly ILogger<LongRunningActionFilter> _logger;

    public LongRunningActionFilter(
        LongRunningActionCatalog catalog,
        ActionArgumentCodec codec,
        TaskAcceptor acceptor,
        TaskContextCapture capture,
        IOptions<ScenarioReceiverOptions> options,
        ILogger<LongRunningActionFilter> logger)
    {
        _catalog = catalog;
        _codec = codec;
        _acceptor = acceptor;
        _capture = capture;
        _options = options.Value;
        _logger = logger;
    }

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var httpContext = context.HttpContext;
        var task = httpContext.RequestServices.GetRequiredService<ScenarioTaskContext>();
        if (!task.IsCaptured && !await _capture.TryCaptureAsync(httpContext, task).ConfigureAwait(false))
        {
            // No UseScenarioTaskContext() in the pipeline and a malformed header: the 400 is written.
            context.Result = new EmptyResult();
            return;
        }

        if (!task.IsScenarioTask)
        {
            if (_options.RunInlineWithoutTaskInstanceId)
            {
                await next().ConfigureAwait(false);
                return;
            }

            context.Result = AsActionResult(ProblemResponses.MissingTaskInstanceId());
            return;
        }

        if (!context.ModelState.IsValid)
        {
            // [ApiController] answers this before we run; a plain controller gets the same answer here,
            // because a task whose input does not bind must not be enqueued.
            context.Result = new BadRequestObjectResult(new ValidationProblemDetails(context.ModelState));
            return;
        }

        var action = _catalog.Find((ControllerActionDescriptor)context.ActionDescriptor)
            ?? throw new InvalidOperationException($"The action {context.ActionDescriptor.DisplayName} is not in the catalog of long-running actions.");

        string argumentsJson;
        try
        {
            argumentsJson = _codec.Serialize(action, context.ActionArguments);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            Log.ArgumentsNotSerializable(_logger, action.Key, ex.Message);
            context.Result = AsActionResult(Results.Problem(
                title: "The request cannot be carried to a background job",
                detail: $"The bound arguments of {action.Key} cannot be serialized: {ex.Message}",
                statusCode: StatusCodes.Status400BadRequest));
            return;
        }

        // The trace of the task starts here; the jobs continue it (TaskAcceptor passes this activity's id).
        using var activity = ScenarioTelemetry.Source.StartActivity("scenario.accept");
        activity?.SetTag("scenario.task_instance_id", task.TaskInstanceId);
        activity?.SetTag("scenario.action", action.Key);
        AcceptedTask accepted;
        try
        {
            accepted = _acceptor.Accept(action, task, argumentsJson);
        }
#pragma warning disable CA1031 // Any storage failure (its exception types depend on the storage) gets the same answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The task was not accepted: say so with a status a caller may retry, never a bare 500.
            Log.TaskNotAccepted(_logger, ex, task.TaskInstanceId!, action.Key);
            context.HttpContext.Response.Headers.RetryAfter = "5";
            context.Result = AsActionResult(Results.Problem(
                title: "The task could not be accepted now",
                detail: "The job storage did not answer in time; nothing was enqueued. Send the call again.",
                statusCode: StatusCodes.Status503ServiceUnavailable));
            return;
        }

        activity?.SetTag("scenario.job_id", accepted.JobId);
        activity?.SetTag("scenario.duplicate", accepted.IsDuplicate);
        context.Result = new ObjectResult(accepted) { StatusCode = StatusCodes.Status202Accepted };
    }

    private static HttpResultAction AsActionResult(IResult result) => new HttpResultAction(result);

    /// <summary>Runs a minimal-API <see cref="IResult"/> (problem+json) as an MVC action result.</summary>
    private sealed class HttpResultAction(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
