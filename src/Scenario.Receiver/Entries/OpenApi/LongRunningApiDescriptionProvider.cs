using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

// ProblemDetails lives in Microsoft.AspNetCore.Http.Abstractions; only its namespace says Mvc.
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Scenario.Receiver.Entries.OpenApi;

/// <summary>
/// Makes API descriptions (and so <c>Microsoft.AspNetCore.OpenApi</c> documents and Swagger) tell the truth
/// about a long-running endpoint, MVC action or minimal-API handler alike: it answers 202 with
/// <c>{taskInstanceId, jobId}</c>, not what the handler returns (that goes to Scenario); 400 and 503 with
/// problem+json; and it needs the <c>X-Scenario-TaskInstanceId</c> header.
/// </summary>
internal sealed class LongRunningApiDescriptionProvider : IApiDescriptionProvider
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>After ASP.NET Core's own providers (MVC's at -1000, minimal APIs' at -1100), so their descriptions exist.</summary>
    public int Order => 0;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            if (description.ActionDescriptor.EndpointMetadata?.OfType<ScenarioLongRunningAttribute>().Any() == true)
            {
                Describe(description);
            }
        }
    }

    private static void Describe(ApiDescription description)
    {
        var responses = description.SupportedResponseTypes;
        for (var i = responses.Count - 1; i >= 0; i--)
        {
            // The handler's own answers (200, 201, 400 …) go to Scenario as the task's outcome, not to the caller.
            if (responses[i].StatusCode is (>= 200 and < 300) or StatusCodes.Status400BadRequest or StatusCodes.Status503ServiceUnavailable or 0)
            {
                responses.RemoveAt(i);
            }
        }

        responses.Add(Response(StatusCodes.Status202Accepted, typeof(AcceptedTask), "application/json"));
        responses.Add(Response(StatusCodes.Status400BadRequest, typeof(ProblemDetails), ProblemJson));
        responses.Add(Response(StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails), ProblemJson));

        if (!description.ParameterDescriptions.Any(p => string.Equals(p.Name, ScenarioHeaderNames.TaskInstanceId, StringComparison.OrdinalIgnoreCase)))
        {
            description.ParameterDescriptions.Add(new ApiParameterDescription
            {
                Name = ScenarioHeaderNames.TaskInstanceId,
                Source = BindingSource.Header,
                Type = typeof(Guid),
                IsRequired = true,
            });
        }
    }

    private static ApiResponseType Response(int statusCode, Type type, string mediaType)
        => new()
        {
            StatusCode = statusCode,
            Type = type,
            ApiResponseFormats = [new ApiResponseFormat { MediaType = mediaType }],
        };
}
