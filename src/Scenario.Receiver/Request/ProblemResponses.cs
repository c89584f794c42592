using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Request;

/// <summary>The problem+json answers the library gives; one place so their wording stays consistent.</summary>
internal static class ProblemResponses
{
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
