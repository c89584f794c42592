using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// Posts one status to Scenario's TaskStatus API, in the exact shape of Scenario's own client, and
/// classifies the answer. It never retries by itself: retries belong to the report job, which is durable. It never
/// follows a redirect either (its handler has <c>AllowAutoRedirect</c> off): a 3xx is a transient failure, logged
/// with its <c>Location</c>, counted, and remembered for the health check.
/// </summary>
internal sealed class ScenarioStatusClient
{
    internal const string TaskStatusesPath = "taskstatus/api/task-statuses";
    internal const string ServiceStatusPath = "taskstatus/api/ServiceStatus";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly ScenarioReceiverOptions _options;
    private readonly ScenarioRedirects _redirects;
    private readonly ScenarioMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ScenarioStatusClient> _logger;

    public ScenarioStatusClient(
        HttpClient httpClient,
        IOptions<ScenarioReceiverOptions> options,
        ScenarioRedirects redirects,
        ScenarioMetrics metrics,
        TimeProvider time,
        ILogger<ScenarioStatusClient> logger)
    {
        _httpClient = httpClient;
        _options = options.Value;
        _redirects = redirects;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <param name="statusEvent">The body.</param>
    /// <param name="allowedStatusUrl">A caller-suggested status URL whose origin is allowed, or null for the configured BaseUrl.</param>
    /// <param name="cancellationToken">Cancels the post.</param>
    public Task<DeliveryResult> PostAsync(TaskStatusEvent statusEvent, Uri? allowedStatusUrl, CancellationToken cancellationToken)
        => PostAsync(statusEvent, allowedStatusUrl, _options.Reporting.RequestTimeout, cancellationToken);

    /// <summary>As the other overload, with a timeout shorter than <see cref="ScenarioReportingOptions.RequestTimeout"/>: the work job's own attempt.</summary>
    public async Task<DeliveryResult> PostAsync(TaskStatusEvent statusEvent, Uri? allowedStatusUrl, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var target = allowedStatusUrl ?? TaskStatusesUri();
        using var request = new HttpRequestMessage(HttpMethod.Post, target);
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
            return Classify(response, target, statusEvent);
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

    /// <summary>
    /// Asks <c>{BaseUrl}/taskstatus/api/ServiceStatus</c>: 204 means the TaskStatus service is up. Bounded by
    /// <see cref="ScenarioReceiverOptions.HealthCheckTimeout"/>, not the request timeout: the health endpoint must answer
    /// within a probe's timeout whatever Scenario does.
    /// </summary>
    /// <returns>The answer's status code, and its <c>Location</c> for a redirect (which is not followed).</returns>
    /// <exception cref="HttpRequestException">Scenario cannot be reached or gave no answer within the bound.</exception>
    public async Task<(HttpStatusCode StatusCode, string? Location)> GetServiceStatusAsync(CancellationToken cancellationToken)
    {
        // A Scenario that accepts the connection and never answers must read as down, not hold the health probe
        // open (the HttpClient itself has no timeout).
        var bound = _options.HealthCheckTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        try
        {
            using var response = await _httpClient.GetAsync(new Uri(BaseUrl(), ServiceStatusPath), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return (response.StatusCode, IsRedirect(response) ? LocationOf(response) : null);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer within {bound.TotalSeconds:0.#} s (Scenario:HealthCheckTimeout)", ex);
        }
    }

    /// <summary>A 3xx: what an SSO proxy or an http→https ingress in front of Scenario answers.</summary>
    internal static bool IsRedirect(HttpResponseMessage response) => (int)response.StatusCode is >= 300 and < 400;

    /// <summary>The <c>Location</c> header as sent (relative or absolute), never the body.</summary>
    internal static string? LocationOf(HttpResponseMessage response)
        => response.Headers.Location?.OriginalString;

    private Uri TaskStatusesUri() => new(BaseUrl(), TaskStatusesPath);

    /// <summary>The base with a trailing slash, so a BaseUrl with a path prefix keeps it.</summary>
    private Uri BaseUrl()
    {
        var baseUrl = _options.BaseUrl!;
        return baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    private DeliveryResult Classify(HttpResponseMessage response, Uri target, TaskStatusEvent statusEvent)
    {
        var code = (int)response.StatusCode;
        var answeredBy = response.RequestMessage?.RequestUri;
        var followedElsewhere = answeredBy is not null && answeredBy != target;
        if (IsRedirect(response) || followedElsewhere)
        {
            // Never Delivered (a login page's 200 is not Scenario taking the status) and never a refusal (a proxy
            // fixed in place lets the next attempt through): the delivery schedule tries again. The second test is
            // a net under the first: should a handler the host added follow a redirect anyway, the answer came from
            // somewhere else and means nothing.
            var location = followedElsewhere ? answeredBy!.OriginalString : LocationOf(response);
            var redirect = new ScenarioRedirect(ScenarioRequestKind.StatusPost, code, location, _time.GetUtcNow());
            _redirects.Redirected(redirect);
            _metrics.Redirects.Add(1, new KeyValuePair<string, object?>(ScenarioMetrics.RequestTag, "status"));
            Log.ScenarioRedirected(_logger, code, statusEvent.Status + " post", statusEvent.TaskInstanceId, redirect.LocationText);
            return DeliveryResult.Transient($"Scenario answered {code} {response.ReasonPhrase}, a redirect, which is not followed: check Scenario:BaseUrl", null);
        }

        if (code is >= 200 and < 300)
        {
            _redirects.Answered(ScenarioRequestKind.StatusPost);
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
