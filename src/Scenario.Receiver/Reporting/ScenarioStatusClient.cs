using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Scenario.Receiver.Reporting;

/// <summary>
/// Posts one status to Scenario's TaskStatus API, in the exact shape of Scenario's own client, and
/// classifies the answer. It never retries by itself: retries belong to the report job, which is durable.
/// </summary>
internal sealed class ScenarioStatusClient
{
    internal const string TaskStatusesPath = "taskstatus/api/task-statuses";
    internal const string ServiceStatusPath = "taskstatus/api/ServiceStatus";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly ScenarioReceiverOptions _options;

    public ScenarioStatusClient(HttpClient httpClient, IOptions<ScenarioReceiverOptions> options)
    {
        _httpClient = httpClient;
        _options = options.Value;
    }

    /// <param name="statusEvent">The body.</param>
    /// <param name="allowedStatusUrl">A caller-suggested status URL whose origin is allowed, or null for the configured BaseUrl.</param>
    /// <param name="cancellationToken">Cancels the post.</param>
    public Task<DeliveryResult> PostAsync(TaskStatusEvent statusEvent, Uri? allowedStatusUrl, CancellationToken cancellationToken)
        => PostAsync(statusEvent, allowedStatusUrl, _options.Reporting.RequestTimeout, cancellationToken);

    /// <summary>As the other overload, with a timeout shorter than <see cref="ScenarioReportingOptions.RequestTimeout"/>: the work job's own attempt.</summary>
    public async Task<DeliveryResult> PostAsync(TaskStatusEvent statusEvent, Uri? allowedStatusUrl, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, allowedStatusUrl ?? TaskStatusesUri());
        request.Headers.Accept.Add(AcceptJson);
        // Lower-case "bearer", as Scenario's own client sends it.
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + _options.ApiKey);
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(statusEvent, ScenarioJsonContext.Default.TaskStatusEvent));
        content.Headers.ContentType = JsonContentType;
        request.Content = content;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);
        try
        {
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return Classify(response);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.NoAnswer($"no answer within {requestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            // The message names the endpoint and the socket error, never the request's headers.
            return DeliveryResult.Transient($"{ex.HttpRequestError}: {ex.Message}", null);
        }
    }

    /// <summary>Asks <c>{BaseUrl}/taskstatus/api/ServiceStatus</c>: 204 means the TaskStatus service is up.</summary>
    /// <exception cref="HttpRequestException">Scenario cannot be reached or gave no answer within the request timeout.</exception>
    public async Task<HttpStatusCode> GetServiceStatusAsync(CancellationToken cancellationToken)
    {
        // Bounded like a post: a Scenario that accepts the connection and never answers must read as down,
        // not hold the health probe open (the HttpClient itself has no timeout).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Reporting.RequestTimeout);
        try
        {
            using var response = await _httpClient.GetAsync(new Uri(BaseUrl(), ServiceStatusPath), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.StatusCode;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer within {_options.Reporting.RequestTimeout.TotalSeconds:0.#} s", ex);
        }
    }

    private Uri TaskStatusesUri() => new(BaseUrl(), TaskStatusesPath);

    /// <summary>The base with a trailing slash, so a BaseUrl with a path prefix keeps it.</summary>
    private Uri BaseUrl()
    {
        var baseUrl = _options.BaseUrl!;
        return baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    private static DeliveryResult Classify(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        if (code is >= 200 and < 300)
        {
            return DeliveryResult.Delivered(code);
        }

        if (code is 408 or 429 or >= 500)
        {
            return DeliveryResult.Transient($"Scenario answered {code} {response.ReasonPhrase}", RetryAfter(response));
        }

        return DeliveryResult.Refused(code, response.ReasonPhrase);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
