using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.LongRunning.RequestSnapshots;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// What every entry point does in the request once routing, authorization and binding are done: check the
/// task headers, carry the bound arguments, accept the task once and answer 202 <c>{taskInstanceId, jobId}</c>,
/// or a problem+json that says what went wrong, never a bare 500. The adapters differ only in how they
/// reach this point and how they write the answer.
/// </summary>
internal sealed class RequestAcceptance(
    TaskAcceptor acceptor,
    TaskContextCapture capture,
    RequestSnapshotCapture snapshots,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<RequestAcceptance> logger)
{
    /// <summary>Seconds a caller is asked to wait before it sends a call again that the storage could not take.</summary>
    internal const int StorageRetryAfterSeconds = 5;

    public async ValueTask<TaskCheck> CheckTaskAsync(HttpContext httpContext)
    {
        var task = httpContext.RequestServices.GetRequiredService<ScenarioTaskContext>();
        if (!task.IsCaptured && !await capture.TryCaptureAsync(httpContext, task).ConfigureAwait(false))
        {
            // No UseScenarioTaskContext() in the pipeline and a malformed header: the 400 is written.
            return TaskCheck.Answered(Results.Empty);
        }

        if (task.IsScenarioTask)
        {
            return TaskCheck.Accept;
        }

        return options.Value.RunInlineWithoutTaskInstanceId ? TaskCheck.RunInline : TaskCheck.Answered(ProblemResponses.MissingTaskInstanceId());
    }

    public IResult Accept<TArguments>(HttpContext httpContext, ILongRunningEntry entry, TArguments arguments)
        where TArguments : IBoundArguments
    {
        var task = httpContext.RequestServices.GetRequiredService<ScenarioTaskContext>();
        string argumentsJson;
        try
        {
            argumentsJson = ArgumentCodec.Serialize(entry, arguments);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            Log.ArgumentsNotSerializable(logger, entry.Key, ex.Message);
            return Results.Problem(
                title: "The request cannot be carried to a background job",
                detail: $"The bound arguments of {entry.Key} cannot be serialized: {ex.Message}",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var requestSnapshot = snapshots.Capture(httpContext);
        var size = (long)Encoding.UTF8.GetByteCount(argumentsJson) + Encoding.UTF8.GetByteCount(requestSnapshot);
        var limit = options.Value.MaxArgumentsBytes;
        if (size > limit)
        {
            Log.ArgumentsTooLarge(logger, task.TaskInstanceId!, entry.Key, size, limit);
            return Results.Problem(
                title: "The request is too large to carry to a background job",
                detail: $"{entry.Key} would carry {size} bytes of arguments and request to its job, over the {limit}-byte limit (Scenario:MaxArgumentsBytes); nothing was enqueued. Send a reference to the data instead of the data.",
                statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        // The trace of the task starts here; the jobs continue it (the job's creation records this activity's id).
        using var activity = ScenarioTelemetry.Source.StartActivity("scenario.accept");
        activity?.SetTag("scenario.task_instance_id", task.TaskInstanceId);
        activity?.SetTag("scenario.action", entry.Key);
        AcceptedTask accepted;
        try
        {
            accepted = acceptor.Accept(entry, task, argumentsJson, requestSnapshot);
        }
#pragma warning disable CA1031 // Any storage failure (its exception types depend on the storage) gets the same answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The task was not accepted: say so with a status a caller may retry, never a bare 500.
            Log.TaskNotAccepted(logger, ex, task.TaskInstanceId!, entry.Key);
            httpContext.Response.Headers.RetryAfter = StorageRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(
                title: "The task could not be accepted now",
                detail: "The job storage did not answer in time; nothing was enqueued. Send the call again.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (accepted.AcceptedByOtherEntry is { } acceptedBy)
        {
            return Results.Problem(
                title: "The task was accepted by another endpoint",
                detail: $"Task {accepted.TaskInstanceId} was accepted by {acceptedBy} (job {accepted.JobId}); this call reached {entry.Key}. A task instance id belongs to one endpoint: nothing was enqueued.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["acceptedBy"] = acceptedBy, ["endpoint"] = entry.Key });
        }

        activity?.SetTag("scenario.job_id", accepted.JobId);
        activity?.SetTag("scenario.duplicate", accepted.IsDuplicate);
        return Results.Json(accepted, ScenarioJsonContext.Default.AcceptedTask, statusCode: StatusCodes.Status202Accepted);
    }
}
