using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Routes a request to the endpoint that answers it, after the checks every endpoint shares: the method,
/// then "Scenario is down". Anything else is a recorded 404 that lists what is served.
/// </summary>
internal sealed class StandInRouter(TaskStatusesEndpoint taskStatuses, CancelledEndpoint cancelled)
{
    private volatile bool _isDown;

    public bool IsDown
    {
        get => _isDown;
        set => _isDown = value;
    }

    public StandInDecision Decide(IncomingRequest request)
    {
        var method = request.Method;
        var path = request.Path;
        if (ScenarioApiPaths.Matches(path, ScenarioApiPaths.TaskStatuses))
        {
            if (!HttpMethods.IsPost(method))
            {
                return new(StandInAnswer.MethodNotAllowed(HttpMethods.Post, method, path));
            }

            return IsDown ? new(ScenarioIsDown()) : taskStatuses.Decide(request);
        }

        if (ScenarioApiPaths.Matches(path, ScenarioApiPaths.TaskStatusServiceStatus)
            || ScenarioApiPaths.Matches(path, ScenarioApiPaths.PollingServiceStatus))
        {
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                return new(StandInAnswer.MethodNotAllowed("GET, HEAD", method, path));
            }

            return new(IsDown ? ScenarioIsDown() : StandInAnswer.NoContent());
        }

        if (ScenarioApiPaths.Matches(path, ScenarioApiPaths.Cancelled))
        {
            if (!HttpMethods.IsGet(method))
            {
                return new(StandInAnswer.MethodNotAllowed(HttpMethods.Get, method, path));
            }

            // Decided by the endpoint even when down, so that the poll is recorded as one.
            return cancelled.Decide(request, IsDown ? ScenarioIsDown() : null);
        }

        return new(StandInAnswer.Problem(
            StatusCodes.Status404NotFound,
            $"The Scenario stand-in does not serve {path}; it serves {ScenarioApiPaths.Served}."));
    }

    private static StandInAnswer ScenarioIsDown() =>
        StandInAnswer.Problem(StatusCodes.Status503ServiceUnavailable, $"The Scenario stand-in is down ({nameof(ScenarioStandIn.IsDown)} is true).");
}
