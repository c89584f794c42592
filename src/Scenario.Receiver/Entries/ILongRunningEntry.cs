using System.Text.Json;

namespace Scenario.Receiver.Entries;

/// <summary>
/// One endpoint that runs as a Scenario task: what the task core needs of it, whatever the entry point
/// (an MVC action, a minimal-API handler). Built once at start-up by the entry point's adapter; the work
/// job finds it by <see cref="Key"/> and calls <see cref="InvokeAsync"/>, knowing nothing of MVC or minimal APIs.
/// </summary>
internal interface ILongRunningEntry
{
    /// <summary>The stable name a job carries: <c>Pricing.Run</c> for an action, the endpoint name or <c>POST /api/quotes</c> for a handler.</summary>
    string Key { get; }

    /// <summary>What the endpoint is in the user's code, for messages: the method, or the route and verb.</summary>
    string DisplayName { get; }

    LongRunningSettings Settings { get; }

    /// <summary>The endpoint's parameters in order, and where a job gets each value.</summary>
    IReadOnlyList<EntryParameter> Parameters { get; }

    /// <summary>The JSON settings the endpoint binds and answers with: arguments and outputs use the same.</summary>
    JsonSerializerOptions JsonOptions { get; }

    /// <summary>Runs the endpoint's body with the job's arguments, and says what it would have answered.</summary>
    Task<EndpointAnswer> InvokeAsync(EntryInvocation invocation);
}
