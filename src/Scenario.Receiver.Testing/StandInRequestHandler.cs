using System.Text;
using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Reads each request the stand-in's server receives, holds it for the <see cref="ResponseDelay"/>, has the router
/// decide the answer, records request and answer in the log, and writes the answer. A sender that gives up while its
/// request is read or held is recorded as such and gets no answer: Scenario never got to it.
/// </summary>
internal sealed class StandInRequestHandler(RequestLog log, StandInRouter router, CancellationToken stopping)
{
    private long _responseDelayTicks;

    /// <summary>The delay before answering each request; <see cref="TimeSpan.Zero"/> for none.</summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _responseDelayTicks));
        set => Interlocked.Exchange(ref _responseDelayTicks, value.Ticks);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var sequence = log.Arrive();
        var receivedAt = DateTimeOffset.UtcNow;
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        var queryString = request.QueryString.Value ?? string.Empty;
        var headers = CopyHeaders(request.Headers);
        var body = string.Empty;

        // The stand-in's stop ends requests sitting in ResponseDelay at once instead of holding the shutdown.
        using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            body = await ReadBodyAsync(request, abandoned.Token).ConfigureAwait(false);
            var delay = ResponseDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, abandoned.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            log.Record(
                sequence,
                new RecordedRequest(receivedAt, request.Method, path, queryString, headers, body, RecordedRequest.ClientClosedRequestStatusCode, string.Empty),
                null);
            context.Abort();
            return;
        }

        var decision = router.Decide(new IncomingRequest(request.Method, path, queryString, request.Query, headers, body, receivedAt));
        var answer = decision.Answer;
        log.Record(sequence, new RecordedRequest(receivedAt, request.Method, path, queryString, headers, body, answer.StatusCode, answer.Body), decision);
        await answer.WriteAsync(context.Response, abandoned.Token).ConfigureAwait(false);
    }

    private static Dictionary<string, string> CopyHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
#pragma warning disable CA1308 // HTTP/2 spells header names in lower case; the recorded names follow it.
            copy[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value.ToArray());
#pragma warning restore CA1308
        }

        return copy;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
