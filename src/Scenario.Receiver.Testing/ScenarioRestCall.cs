using System.Text;
using System.Text.Json;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Sends a request the way Scenario's <c>Connectors/RestCall</c> task does: a POST with a JSON body and the
/// <c>X-Scenario-*</c> headers that tell the receiver which task instance to report on.
/// </summary>
/// <remarks>
/// Works with any <see cref="HttpClient"/>: the one of an ASP.NET Core <c>TestServer</c> or one that talks to a real server.
/// </remarks>
public sealed class ScenarioRestCall
{
    /// <summary>The header that carries the task instance to complete later: <c>X-Scenario-TaskInstanceId</c>.</summary>
    public const string TaskInstanceIdHeaderName = "X-Scenario-TaskInstanceId";

    /// <summary>The header that carries the scenario (workflow) run: <c>X-Scenario-WorkflowInstanceId</c>.</summary>
    public const string WorkflowInstanceIdHeaderName = "X-Scenario-WorkflowInstanceId";

    /// <summary>The header that suggests where to post the status: <c>X-Scenario-TaskStatusUrl</c>.</summary>
    public const string TaskStatusUrlHeaderName = "X-Scenario-TaskStatusUrl";

    private const string JobIdProperty = "jobId";

    // Web defaults (camelCase): what a scenario designer writes into a RestCall body, and what ASP.NET Core binds.
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _httpClient;

    /// <summary>Creates a sender that uses <paramref name="httpClient"/>; the client is not disposed by it.</summary>
    /// <param name="httpClient">The client; a relative request URI resolves against its <see cref="HttpClient.BaseAddress"/>.</param>
    public ScenarioRestCall(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _httpClient = httpClient;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON with the <c>X-Scenario-*</c> headers.</summary>
    /// <param name="requestUri">The receiver's action, absolute or relative to the client's base address.</param>
    /// <param name="body">Serialized with System.Text.Json's web defaults (camelCase); <see langword="null"/> sends no body.</param>
    /// <param name="taskInstanceId">
    /// The task instance id; <see langword="null"/> for a new GUID, as Scenario issues. Sent as given, even malformed,
    /// so a test can check how the receiver refuses a bad one.
    /// </param>
    /// <param name="workflowInstanceId">The workflow instance id; <see langword="null"/> for a new GUID.</param>
    /// <param name="taskStatusUrl">The status URL to suggest; <see langword="null"/> sends no such header.</param>
    /// <param name="headers">
    /// More headers for this request only (a tenant header, an API key of the application's own), sent unvalidated
    /// after the <c>X-Scenario-*</c> ones; the client's <see cref="HttpClient.DefaultRequestHeaders"/> are left alone.
    /// A content header such as <c>Content-Type</c> replaces the body's own and needs a body. The <c>X-Scenario-*</c>
    /// headers are set by the parameters above, not here. <see langword="null"/> adds none.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receiver's answer and the ids that were sent.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="requestUri"/> is empty, or a header in <paramref name="headers"/> is an <c>X-Scenario-*</c> one,
    /// has no name, or is a content header sent without a body.
    /// </exception>
    public async Task<RestCallResponse> PostAsync(
        string requestUri,
        object? body,
        string? taskInstanceId = null,
        string? workflowInstanceId = null,
        string? taskStatusUrl = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestUri);
        // Materialized and checked before anything is sent, so a bad header fails the call, not half of it.
        KeyValuePair<string, string>[] extraHeaders = headers is null ? [] : [.. headers];
        foreach (var header in extraHeaders)
        {
            if (RefuseExtraHeader(header.Key) is string refusal)
            {
                throw new ArgumentException(refusal, nameof(headers));
            }
        }
        taskInstanceId ??= Guid.NewGuid().ToString();
        workflowInstanceId ??= Guid.NewGuid().ToString();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(requestUri, UriKind.RelativeOrAbsolute));
        // Without validation, so that a deliberately malformed id reaches the receiver unchanged.
        request.Headers.TryAddWithoutValidation(TaskInstanceIdHeaderName, taskInstanceId);
        request.Headers.TryAddWithoutValidation(WorkflowInstanceIdHeaderName, workflowInstanceId);
        if (taskStatusUrl is not null)
        {
            request.Headers.TryAddWithoutValidation(TaskStatusUrlHeaderName, taskStatusUrl);
        }

        if (body is not null)
        {
            // A string, not a streamed JsonContent: the request then has a Content-Length, as Scenario's does.
            var json = JsonSerializer.Serialize(body, body.GetType(), BodyOptions);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach ((var name, var value) in extraHeaders)
        {
            if (AddHeader(request, name, value ?? string.Empty) is string refusal)
            {
                throw new ArgumentException(refusal, nameof(headers));
            }
        }

        using var response = await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var responseBody = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new RestCallResponse(
            response.StatusCode,
            taskInstanceId,
            workflowInstanceId,
            responseBody,
            response.Content.Headers.ContentType?.ToString(),
            ReadJobId(responseBody));
    }

    private static string? RefuseExtraHeader(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "A header name must not be empty.";
        }

        // Two sources for one header would send both values; the parameter is the one way to set it.
        return name.Equals(TaskInstanceIdHeaderName, StringComparison.OrdinalIgnoreCase)
            || name.Equals(WorkflowInstanceIdHeaderName, StringComparison.OrdinalIgnoreCase)
            || name.Equals(TaskStatusUrlHeaderName, StringComparison.OrdinalIgnoreCase)
            ? $"The {name} header is set through the {nameof(PostAsync)} parameter of its own, not through headers."
            : null;
    }

    private static string? AddHeader(HttpRequestMessage request, string name, string value)
    {
        // Without validation, like the X-Scenario-* headers: a test may send what a strict client would refuse.
        if (request.Headers.TryAddWithoutValidation(name, value))
        {
            return null;
        }

        // HttpRequestHeaders refuses content headers; they belong to the body.
        if (request.Content is null)
        {
            return $"The {name} header describes a body, and this call sends none.";
        }

        request.Content.Headers.Remove(name);
        return request.Content.Headers.TryAddWithoutValidation(name, value)
            ? null
            : $"The {name} header cannot be sent on a request.";
    }

    private static string? ReadJobId(string body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Case-insensitive like ASP.NET Core's own JSON reading, so a PascalCase answer still yields its job id.
                if (string.Equals(property.Name, JobIdProperty, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => null,
                    };
                }
            }

            return null;
        }
        catch (JsonException)
        {
            // Not every answer is JSON (a problem page, plain text); it simply has no job id.
            return null;
        }
    }
}
