using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Request;

/// <summary>
/// 503 problem+json with <c>Retry-After</c>: what the receiver answers while the job storage cannot be reached, so
/// a caller (Scenario, an operator's script, a batch system's callback) can tell "send it again" from a bug,
/// which a bare 500 does not say.
/// </summary>
internal sealed class StorageUnavailableResult(string title, string detail) : IResult
{
    /// <summary>Seconds a caller is asked to wait before it sends again what the storage could not take.</summary>
    public const int RetryAfterSeconds = 5;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(httpContext);
    }
}
