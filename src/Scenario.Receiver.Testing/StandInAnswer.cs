using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Scenario.Receiver.Testing;

/// <summary>What the stand-in answers to one request; decided before anything is written, so it can be recorded as is.</summary>
internal sealed class StandInAnswer
{
    private const string JsonContentType = "application/json";
    private const string ProblemContentType = "application/problem+json";

    private StandInAnswer(int statusCode, string body = "", string? contentType = null)
    {
        StatusCode = statusCode;
        Body = body;
        ContentType = contentType;
    }

    public int StatusCode { get; }

    public string Body { get; }

    public string? ContentType { get; }

    public TimeSpan? RetryAfter { get; private init; }

    public string? Allow { get; private init; }

    public bool ChallengeBearer { get; private init; }

    public static StandInAnswer NoContent() => new(StatusCodes.Status204NoContent);

    public static StandInAnswer Json(int statusCode, string body) => new(statusCode, body, JsonContentType);

    /// <summary>An error with a small problem+json body whose detail says what to fix.</summary>
    public static StandInAnswer Problem(int statusCode, string detail, TimeSpan? retryAfter = null) =>
        new(statusCode, ProblemBody(statusCode, detail), ProblemContentType) { RetryAfter = retryAfter };

    public static StandInAnswer Unauthorized(string detail) =>
        new(StatusCodes.Status401Unauthorized, ProblemBody(StatusCodes.Status401Unauthorized, detail), ProblemContentType)
        {
            ChallengeBearer = true,
        };

    public static StandInAnswer MethodNotAllowed(string allow, string method, string path) =>
        new(
            StatusCodes.Status405MethodNotAllowed,
            ProblemBody(StatusCodes.Status405MethodNotAllowed, $"{path} answers {allow}, not {method}."),
            ProblemContentType)
        {
            Allow = allow,
        };

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCode;
        if (RetryAfter is TimeSpan retryAfter)
        {
            // Retry-After in delta-seconds, rounded up so that "wait 500 ms" never reads as "retry now".
            response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (Allow is not null)
        {
            response.Headers.Allow = Allow;
        }

        if (ChallengeBearer)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        if (Body.Length > 0)
        {
            response.ContentType = ContentType;
            await response.WriteAsync(Body, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ProblemBody(int statusCode, string detail)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps quotes readable in the recorded body and in timeout messages; nothing renders it as HTML.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("title", ReasonPhrases.GetReasonPhrase(statusCode));
            writer.WriteNumber("status", statusCode);
            writer.WriteString("detail", detail);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
