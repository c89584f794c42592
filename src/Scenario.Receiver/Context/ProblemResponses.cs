using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver;

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
}
