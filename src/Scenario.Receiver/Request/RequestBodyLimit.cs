using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Scenario.Receiver.Request;

/// <summary>
/// The body a long-running endpoint reads is limited to <c>Scenario:MaxArgumentsBytes</c>, the most a task may
/// carry to its job. The bound arguments are the body (re-serialized) plus route, query and header values, so a
/// body over the limit gives arguments over it in all but contrived cases (a body mostly of whitespace or of
/// properties the model ignores); refusing it before it is read keeps the request from buffering, binding and
/// serializing megabytes only to answer 413 afterwards. A body that passes can still be refused later, by the
/// size of its arguments and request snapshot together.
/// </summary>
internal static class RequestBodyLimit
{
    /// <summary>Whether the call says, by its <c>Content-Length</c>, that its body is over the limit: refused unread.</summary>
    public static bool IsDeclaredOver(HttpContext httpContext, long limit)
        => httpContext.Request.ContentLength is { } length && length > limit;

    /// <summary>
    /// Limits how much of the body is read, for a body whose length is not declared (chunked): the server stops
    /// reading at the limit (its own limit, lowered, where it has one), and the body stream says whether it was passed.
    /// Null for a body that declares a length within both limits, the usual call: the server reads no more than it
    /// declares (HTTP/1.1 frames the body by it; HTTP/2 and HTTP/3 refuse a body longer than it), so no byte can pass the
    /// limit, and the body is read as the server gives it, without a stream in between (measured, docs/benchmarks.md).
    /// </summary>
    public static LimitedRequestBodyStream? Apply(HttpContext httpContext, long limit)
    {
        var serverLimit = httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();

        // A lower limit of the host's own stays, and is the one a refusal names.
        var effective = serverLimit?.MaxRequestBodySize is { } server && server < limit ? server : limit;
        if (httpContext.Request.ContentLength is { } declared && declared <= effective)
        {
            return null;
        }

        if (serverLimit is { IsReadOnly: false } && (serverLimit.MaxRequestBodySize is null || serverLimit.MaxRequestBodySize > limit))
        {
            // Kestrel then stops at the limit, also when it drains an unread body before the connection is reused.
            serverLimit.MaxRequestBodySize = limit;
        }

        var body = new LimitedRequestBodyStream(httpContext.Request.Body, effective);
        httpContext.Request.Body = body;
        return body;
    }
}
