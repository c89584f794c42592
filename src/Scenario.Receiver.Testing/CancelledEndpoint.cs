using Microsoft.AspNetCore.Http;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Scenario's cancellation query, <c>GET polling/api/Cancelled?catalogTaskDefinitionNamespace={ns}&amp;taskInstanceId={id}</c>:
/// 200 <c>{"isCancelled": true|false}</c> behind the worker token, or 404 while the stand-in plays a Scenario without it.
/// </summary>
internal sealed class CancelledEndpoint(CancellationBook book, BearerTokenCheck token)
{
    /// <param name="request">The query.</param>
    /// <param name="outage">The answer of a Scenario that is down, or <see langword="null"/> when it is up.</param>
    public StandInDecision Decide(IncomingRequest request, StandInAnswer? outage)
    {
        var ns = Single(request.Query, ScenarioApiPaths.CancelledNamespaceParameter);
        var taskInstanceId = Single(request.Query, ScenarioApiPaths.CancelledTaskInstanceIdParameter) ?? string.Empty;
        bool? isCancelled = null;
        var answer = outage ?? Answer(request, taskInstanceId, out isCancelled);
        var query = new ReceivedCancellationQuery(
            taskInstanceId,
            ns,
            request.Headers.GetValueOrDefault(HeaderNames.Authorization),
            request.ReceivedAt,
            answer.StatusCode,
            isCancelled);
        return new(answer, CancellationQuery: query);
    }

    private StandInAnswer Answer(IncomingRequest request, string taskInstanceId, out bool? isCancelled)
    {
        isCancelled = null;
        if (!book.IsServed)
        {
            // Before the token check: a Scenario without the operation has no route there at all.
            return StandInAnswer.Problem(
                StatusCodes.Status404NotFound,
                $"This Scenario stand-in plays a Scenario without the cancellation query ({nameof(ScenarioStandIn.ServesCancellationQuery)} is false).");
        }

        if (token.Refuse(request.Headers) is StandInAnswer refusal)
        {
            return refusal;
        }

        if (taskInstanceId.Length == 0)
        {
            return StandInAnswer.Problem(
                StatusCodes.Status400BadRequest,
                $"The query parameter {ScenarioApiPaths.CancelledTaskInstanceIdParameter} is missing or empty.");
        }

        var cancelled = book.IsCancelled(taskInstanceId);
        isCancelled = cancelled;
        return StandInAnswer.Json(StatusCodes.Status200OK, cancelled ? """{"isCancelled":true}""" : """{"isCancelled":false}""");
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.ToString() : null;
}
