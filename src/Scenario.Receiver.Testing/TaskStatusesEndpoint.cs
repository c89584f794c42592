using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace Scenario.Receiver.Testing;

/// <summary>
/// <c>POST taskstatus/api/task-statuses</c>: checks a status the way Scenario answers it, in Scenario's order
/// (injected faults, token, media type, body), and accepts it.
/// </summary>
internal sealed class TaskStatusesEndpoint(FaultPlan faults, BearerTokenCheck token, Action<ReceivedTaskStatus>? onStatusReceived)
{
    public StandInDecision Decide(IncomingRequest request)
    {
        // Injected faults come before any check: a real outage does not look at the request either.
        if (faults.Take() is Fault fault)
        {
            return new(StandInAnswer.Problem(
                fault.StatusCode,
                $"Injected by the Scenario stand-in ({nameof(ScenarioStandIn.FailNext)} or {nameof(ScenarioStandIn.FailAll)}).",
                fault.RetryAfter));
        }

        if (token.Refuse(request.Headers) is StandInAnswer refusal)
        {
            return new(refusal);
        }

        var contentType = request.Headers.GetValueOrDefault(HeaderNames.ContentType);
        if (!IsJson(contentType))
        {
            return new(StandInAnswer.Problem(
                StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type must be application/json; got {(contentType is null ? "none" : $"'{contentType}'")}."));
        }

        var facts = new RequestFacts(
            request.Headers.GetValueOrDefault(HeaderNames.Authorization),
            contentType,
            request.Headers.GetValueOrDefault(HeaderNames.Accept),
            request.ReceivedAt);
        if (!TaskStatusEventParser.TryParse(request.Body, facts, out var status, out var error))
        {
            return new(StandInAnswer.Problem(StatusCodes.Status400BadRequest, error!));
        }

        if (onStatusReceived is not null)
        {
            try
            {
                onStatusReceived(status!);
            }
            catch (Exception exception)
            {
                // Answered, not thrown: Kestrel would swallow it, and the test would only see a missing status.
                return new(StandInAnswer.Problem(
                    StatusCodes.Status500InternalServerError,
                    $"{nameof(ScenarioStandInOptions.OnStatusReceived)} threw {exception.GetType().Name}: {exception.Message}"));
            }
        }

        return new(StandInAnswer.NoContent(), AcceptedStatus: status);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);
}
