using Microsoft.AspNetCore.Http;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// Wraps a long-running endpoint's request delegate: what must be answered before its parameters are bound,
/// or after binding stopped short of the filters, where the framework would leave a bare status.
/// A body over the limit (<see cref="RequestBodyLimit"/>) is refused unread when its <c>Content-Length</c> says
/// so, and otherwise as soon as reading passes the limit; a body the framework could not read as JSON (it
/// answers a bare 400 without running any filter) gets a problem+json naming the body parameter.
/// </summary>
internal sealed class LongRunningRequestGuard(RequestDelegate inner, MinimalApiEntry entry, RequestAcceptance acceptance)
{
    public async Task InvokeAsync(HttpContext httpContext)
    {
        var limit = acceptance.MaxBodyBytes;
        if (RequestBodyLimit.IsDeclaredOver(httpContext, limit))
        {
            await acceptance.BodyTooLarge(entry, limit, httpContext.Request.ContentLength).ExecuteAsync(httpContext).ConfigureAwait(false);
            return;
        }

        var body = RequestBodyLimit.Apply(httpContext, limit);
        var pipeline = new FilterPipelineReached();
        httpContext.Features.Set(pipeline);
        try
        {
            await inner(httpContext).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!httpContext.Response.HasStarted && IsOurs(body, pipeline, ex.StatusCode))
        {
            // RouteHandlerOptions.ThrowOnBadRequest (on in Development) throws what would otherwise be a bare status.
            await Answer(httpContext, body, ex.Message).ConfigureAwait(false);
            return;
        }

        if (!httpContext.Response.HasStarted && IsOurs(body, pipeline, httpContext.Response.StatusCode))
        {
            await Answer(httpContext, body, null).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A body over the limit, or a 400 left before any filter ran. Once a filter ran, its answer stands (a
    /// user's filter before ours, ours, or the handler run inline).
    /// </summary>
    private static bool IsOurs(LimitedRequestBodyStream? body, FilterPipelineReached pipeline, int statusCode)
        => body is { LimitExceeded: true } || (!pipeline.Reached && statusCode == StatusCodes.Status400BadRequest);

    private Task Answer(HttpContext httpContext, LimitedRequestBodyStream? body, string? reason)
    {
        if (body is { LimitExceeded: true })
        {
            return acceptance.BodyTooLarge(entry, body.Limit, null).ExecuteAsync(httpContext);
        }

        var problem = reason ?? "The request body could not be read as JSON of this parameter's type.";
        var errors = entry.BodyParameters.Count == 0
            ? new Dictionary<string, string[]> { [string.Empty] = [problem] }
            : entry.BodyParameters.ToDictionary(parameter => parameter.Name, _ => new[] { problem });
        return acceptance.NotBound(entry, errors).ExecuteAsync(httpContext);
    }
}
