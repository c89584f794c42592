using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// Asks Scenario's polling service whether it cancelled a task:
/// <c>GET {BaseUrl}/polling/api/Cancelled?catalogTaskDefinitionNamespace={ns}&amp;taskInstanceId={id}</c> with the
/// worker token. A typed client beside the status client, registered the same way (no resilience handlers:
/// a question that fails is simply asked again at the next interval; no redirect followed: a 3xx is a failed question,
/// logged with its <c>Location</c>, counted and remembered for the health check, as the status client does).
/// </summary>
internal sealed class ScenarioCancellationClient(
    HttpClient httpClient,
    IOptions<ScenarioReceiverOptions> options,
    ScenarioRedirects redirects,
    ScenarioMetrics metrics,
    TimeProvider time,
    ILogger<ScenarioCancellationClient> logger)
{
    internal const string CancelledPath = "polling/api/Cancelled";

    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private readonly ScenarioReceiverOptions _options = options.Value;

    /// <returns>The answer, and for <see cref="CancellationAnswer.Failed"/> and <see cref="CancellationAnswer.Unsupported"/> why.</returns>
    public async Task<(CancellationAnswer Answer, string? Reason)> AskAsync(string taskInstanceId, CancellationToken cancellationToken)
    {
        var target = QueryUri(taskInstanceId);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Accept.Add(AcceptJson);
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + _options.ApiKey);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Reporting.RequestTimeout);
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            var answeredBy = response.RequestMessage?.RequestUri;
            var followedElsewhere = answeredBy is not null && answeredBy != target;
            if (ScenarioStatusClient.IsRedirect(response) || followedElsewhere)
            {
                // A login page's 200 says nothing about the task: the question failed and is asked again.
                var redirect = new ScenarioRedirect(
                    ScenarioRequestKind.CancellationQuestion,
                    code,
                    followedElsewhere ? answeredBy!.OriginalString : ScenarioStatusClient.LocationOf(response),
                    time.GetUtcNow());
                redirects.Redirected(redirect);
                metrics.Redirects.Add(1, new KeyValuePair<string, object?>(ScenarioMetrics.RequestTag, "cancellation"));
                Log.ScenarioRedirected(logger, code, "cancellation question", taskInstanceId, redirect.LocationText);
                return (CancellationAnswer.Failed, $"Scenario answered {code} {response.ReasonPhrase}, a redirect, which is not followed: check Scenario:BaseUrl");
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                return (CancellationAnswer.Unsupported, $"Scenario answered {code} {response.ReasonPhrase}");
            }

            if (!response.IsSuccessStatusCode)
            {
                return (CancellationAnswer.Failed, $"Scenario answered {code} {response.ReasonPhrase}");
            }

            redirects.Answered(ScenarioRequestKind.CancellationQuestion);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return IsCancelled(body) switch
            {
                true => (CancellationAnswer.Cancelled, null),
                false => (CancellationAnswer.NotCancelled, null),
                null => (CancellationAnswer.Failed, "Scenario's answer had no boolean isCancelled"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (CancellationAnswer.Failed, $"no answer within {_options.Reporting.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            // The message names the endpoint and the socket error, never the request's headers.
            return (CancellationAnswer.Failed, $"{ex.HttpRequestError}: {ex.Message}");
        }
    }

    private static bool? IsCancelled(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    // Scenario's JSON is camelCase; a case-insensitive match costs nothing and survives a PascalCase proxy.
                    if (property.NameEquals("isCancelled") || string.Equals(property.Name, "isCancelled", StringComparison.OrdinalIgnoreCase))
                    {
                        return property.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => null,
                        };
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private Uri QueryUri(string taskInstanceId)
    {
        var baseUrl = _options.BaseUrl!.AbsoluteUri;
        var root = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";
        return new Uri(
            $"{root}{CancelledPath}?catalogTaskDefinitionNamespace={Uri.EscapeDataString(_options.Cancellation.Namespace ?? string.Empty)}&taskInstanceId={Uri.EscapeDataString(taskInstanceId)}");
    }
}
