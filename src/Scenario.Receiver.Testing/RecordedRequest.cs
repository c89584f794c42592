using System.Globalization;

namespace Scenario.Receiver.Testing;

/// <summary>One request that reached a <see cref="ScenarioStandIn"/>, on any path, and what the stand-in answered.</summary>
public sealed class RecordedRequest
{
    /// <summary>
    /// The <see cref="AnsweredStatusCode"/> of a request whose sender gave up (or whose stand-in was disposed)
    /// before the stand-in answered, typically during <see cref="ScenarioStandIn.ResponseDelay"/>: 499, nginx's "client closed request".
    /// </summary>
    public const int ClientClosedRequestStatusCode = 499;

    internal RecordedRequest(
        DateTimeOffset receivedAt,
        string method,
        string path,
        string queryString,
        IReadOnlyDictionary<string, string> headers,
        string body,
        int answeredStatusCode,
        string responseBody)
    {
        ReceivedAt = receivedAt;
        Method = method;
        Path = path;
        QueryString = queryString;
        Headers = headers;
        Body = body;
        AnsweredStatusCode = answeredStatusCode;
        ResponseBody = responseBody;
    }

    /// <summary>When the request arrived.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The HTTP method, e.g. <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The request path, without the query string, e.g. <c>/taskstatus/api/task-statuses</c>.</summary>
    public string Path { get; }

    /// <summary>
    /// The query string with its leading <c>?</c>, as sent (still URL-encoded), e.g.
    /// <c>?catalogTaskDefinitionNamespace=&amp;taskInstanceId=…</c>; empty when there was none.
    /// </summary>
    public string QueryString { get; }

    /// <summary>
    /// The request headers, keyed by lower-case name and looked up case-insensitively;
    /// a header sent several times has its values joined with <c>", "</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The request body as UTF-8 text; empty when there was none.</summary>
    public string Body { get; }

    /// <summary>
    /// The status code the stand-in answered with, or <see cref="ClientClosedRequestStatusCode"/>
    /// when the sender went away before the answer.
    /// </summary>
    public int AnsweredStatusCode { get; }

    /// <summary>The body the stand-in answered with (the JSON error of a 4xx, for instance); empty when there was none.</summary>
    public string ResponseBody { get; }

    /// <summary>Gets a header value, or <see langword="null"/> when the request did not carry it.</summary>
    /// <param name="name">The header name, in any case.</param>
    /// <returns>The header value, or <see langword="null"/>.</returns>
    public string? GetHeader(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A one-line summary for assertion and timeout messages, e.g. <c>POST /taskstatus/api/task-statuses → 400</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Method} {Path} → {AnsweredStatusCode}");
}
