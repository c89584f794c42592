using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Entries;

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

    /// <summary>The most bytes a long-running endpoint reads of a body (see <see cref="RequestBodyLimit"/>).</summary>
    public long MaxBodyBytes => options.Value.MaxArgumentsBytes;

    /// <summary>The answer to a call whose body is over the limit: by its <c>Content-Length</c> (unread), or found while reading it.</summary>
    public IResult BodyTooLarge(ILongRunningEntry entry, long limit, long? declaredLength)
    {
        var setting = limit < MaxBodyBytes ? "the server's MaxRequestBodySize" : "Scenario:MaxArgumentsBytes";
        Log.BodyTooLarge(logger, entry.Key, limit, setting, declaredLength is { } length ? $"Content-Length {length}, not read" : "found while reading");
        return ProblemResponses.BodyTooLarge(limit, setting, declaredLength);
    }

    /// <summary>The answer to a call whose arguments did not bind, by parameter name.</summary>
    public IResult NotBound(ILongRunningEntry entry, IReadOnlyDictionary<string, string[]> errors)
    {
        Log.RequestNotBound(logger, entry.Key, string.Join(", ", errors.Keys.Select(key => key.Length == 0 ? "(request)" : key)));
        return ProblemResponses.NotBound(errors);
    }

    /// <summary>Accepts the task, awaited: the request's thread does not sit in the task store (a database round trip, a concurrent accept's lock).</summary>
    public async ValueTask<IResult> AcceptAsync<TArguments>(HttpContext httpContext, ILongRunningEntry entry, TArguments arguments)
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
            accepted = await acceptor.AcceptAsync(entry, task, argumentsJson, requestSnapshot, httpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller went away while the accept waited: no answer to write, nothing to log as a storage failure.
            throw;
        }
#pragma warning disable CA1031 // Any storage failure (its exception types depend on the storage) gets the same answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The task was not accepted: say so with a status a caller may retry, never a bare 500.
            Log.TaskNotAccepted(logger, ex, task.TaskInstanceId!, entry.Key);
            return new StorageUnavailableResult(
                "The task could not be accepted now",
                "The job storage did not answer in time; nothing was enqueued. Send the call again.");
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
        return Results.Json(accepted, EntryJsonContext.Default.AcceptedTask, statusCode: StatusCodes.Status202Accepted);
    }
}
