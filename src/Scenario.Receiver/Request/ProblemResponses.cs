using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Request;

/// <summary>The problem+json answers the library gives; one place so their wording stays consistent.</summary>
internal static class ProblemResponses
{
    private const string UnknownTaskTitle = "Unknown Scenario task";

    internal static IResult InvalidHeader(string header, string detail)
        => Results.Problem(
            title: $"Invalid {header} header",
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["header"] = header });

    internal static IResult MissingTaskInstanceId()
        => Results.Problem(
            title: $"Missing {ScenarioHeaderNames.TaskInstanceId} header",
            detail: $"This action runs as an X4B Scenario task and needs the {ScenarioHeaderNames.TaskInstanceId} header that Scenario's RestCall sends.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["header"] = ScenarioHeaderNames.TaskInstanceId });

    /// <summary>
    /// 404 for a callback about a task this receiver does not know: an id that is not a task instance id (never echoed:
    /// it is whatever the caller sent), or a task never accepted here.
    /// </summary>
    internal static IResult UnknownTask(string? taskInstanceId)
        => taskInstanceId is not null && TaskHeaderReader.IsTaskInstanceId(taskInstanceId)
            ? Results.Problem(
                title: UnknownTaskTitle,
                detail: $"No Scenario task {TaskHeaderReader.Canonical(taskInstanceId)} was accepted here, or its record has expired (Scenario:RecordRetention); nothing was recorded.",
                statusCode: StatusCodes.Status404NotFound,
                extensions: new Dictionary<string, object?> { ["taskInstanceId"] = TaskHeaderReader.Canonical(taskInstanceId) })
            : NotATaskId();

    /// <summary>404 for an id that is not a task instance id; the id is not echoed.</summary>
    internal static IResult NotATaskId()
        => Results.Problem(
            title: UnknownTaskTitle,
            detail: "The id is not a Scenario task instance id (Scenario issues GUIDs such as 364e21c2-25bf-497d-9583-3d359e7cbf91); nothing was recorded.",
            statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// 409 for a completion of a task that had an outcome already: <paramref name="detail"/> names it, and
    /// <paramref name="priorOutcome"/> is the name a client can branch on.
    /// </summary>
    internal static IResult TaskAlreadyDecided(string taskInstanceId, string priorOutcome, string detail)
        => Results.Problem(
            title: "The Scenario task already has an outcome",
            detail: detail,
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["taskInstanceId"] = taskInstanceId, ["priorOutcome"] = priorOutcome });

    /// <summary>
    /// 500 for a long-running endpoint in a host that never called <c>AddScenarioReceiver</c>: nothing can accept the
    /// task, and running the work in the request instead would leave Scenario's task RUNNING with no one to report it.
    /// <paramref name="fix"/> names the missing call.
    /// </summary>
    internal static IResult ReceiverNotAdded(string fix)
        => Results.Problem(
            title: "The Scenario receiver is not registered in this service",
            detail: fix,
            statusCode: StatusCodes.Status500InternalServerError);

    /// <summary>A body longer than a long-running endpoint may read; <paramref name="declaredLength"/> when the call said so itself.</summary>
    internal static IResult BodyTooLarge(long limit, string limitSetting, long? declaredLength)
        => Results.Problem(
            title: "The request body is too large to carry to a background job",
            detail: (declaredLength is { } length ? $"The body is {length} bytes" : "The body is longer than the limit")
                + $"; a long-running endpoint reads at most {limit} bytes ({limitSetting}) and nothing was enqueued. Send a reference to the data instead of the data.",
            statusCode: StatusCodes.Status413PayloadTooLarge,
            extensions: new Dictionary<string, object?> { ["limit"] = limit });

    /// <summary>
    /// A body (or a route, query or header value) that did not bind to the endpoint's parameters, in the shape
    /// MVC's <c>[ApiController]</c> gives (<c>errors</c> by parameter), so both entry points answer alike.
    /// </summary>
    internal static IResult NotBound(IReadOnlyDictionary<string, string[]> errors)
        => Results.ValidationProblem(
            errors,
            detail: "Nothing was enqueued: the request did not bind to the endpoint's parameters. Fix the request and send it again.",
            title: "The request did not bind");
}
