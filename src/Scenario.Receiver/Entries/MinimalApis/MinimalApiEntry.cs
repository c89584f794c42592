using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// A minimal-API endpoint made long-running with <c>WithScenarioLongRunning()</c>, as the task core sees it.
/// Built in three steps while ASP.NET Core builds the endpoint: the convention creates it with its settings,
/// the endpoint filter factory gives it the handler's parameters and the filter pipeline inside ours
/// (<see cref="Attach"/>), and the catalog names it once the endpoint is complete (<see cref="Name"/>).
/// The job runs the handler through that pipeline, as the request would have, with the job's arguments.
/// </summary>
internal sealed class MinimalApiEntry(LongRunningSettings settings, string routeDisplayName) : ILongRunningEntry
{
    private EndpointFilterDelegate? _handler;

    public string Key { get; private set; } = routeDisplayName;

    public string DisplayName { get; private set; } = routeDisplayName;

    public LongRunningSettings Settings { get; } = settings;

    public IReadOnlyList<EntryParameter> Parameters { get; private set; } = [];

    public JsonSerializerOptions JsonOptions { get; private set; } = JsonSerializerOptions.Web;

    /// <summary>The handler's parameters bound from the body, to tell a body that did not bind.</summary>
    public IReadOnlyList<HandlerBodyParameter> BodyParameters { get; private set; } = [];

    /// <summary>Whether the endpoint filter factory ran: only route handlers (a delegate) run endpoint filters.</summary>
    public bool IsAttached => _handler is not null;

    public void Attach(IReadOnlyList<EntryParameter> parameters, IReadOnlyList<HandlerBodyParameter> bodyParameters, JsonSerializerOptions jsonOptions, EndpointFilterDelegate handler)
    {
        Parameters = parameters;
        BodyParameters = bodyParameters;
        JsonOptions = jsonOptions;
        _handler = handler;
    }

    public void Name(string key, string displayName)
    {
        Key = key;
        DisplayName = displayName;
    }

    public async Task<EndpointAnswer> InvokeAsync(EntryInvocation invocation)
    {
        var handler = _handler ?? throw new InvalidOperationException($"The endpoint {DisplayName} was never built.");
        var returned = await handler(new DefaultEndpointFilterInvocationContext(invocation.HttpContext, invocation.Arguments)).ConfigureAwait(false);
        var answer = EndpointAnswer.FromReturnValue(returned);

        // A handler that answers through HttpContext.Response (a RequestDelegate) says its status code there.
        var responseStatus = invocation.HttpContext.Response.StatusCode;
        return answer is { StatusCode: StatusCodes.Status200OK, Value: null } && responseStatus != StatusCodes.Status200OK
            ? new EndpointAnswer(responseStatus, null)
            : answer;
    }
}
