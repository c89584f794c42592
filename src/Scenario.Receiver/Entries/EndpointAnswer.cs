using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Entries;

/// <summary>
/// What an endpoint would have answered in the request, entry point aside: the HTTP status code and the
/// value it would have written (null for none). The outcome mapping turns it into the status Scenario receives.
/// </summary>
internal readonly record struct EndpointAnswer(int StatusCode, object? Value)
{
    /// <summary>
    /// The answer of what a handler returned, by ASP.NET Core's own result contracts, which both entry points
    /// share: an <see cref="IResult"/> says its status code and value (a <c>Results&lt;T1, T2&gt;</c> union the
    /// result it holds); a plain value, <c>void</c> or <c>Task</c> is 200.
    /// </summary>
    public static EndpointAnswer FromReturnValue(object? returned) => returned switch
    {
        null => new(StatusCodes.Status200OK, null),
        INestedHttpResult nested => FromReturnValue(nested.Result),

        // Kept whole, so the work runner sees the deferral rather than a bare 202.
        ScenarioDeferredResult deferred => new(StatusCodes.Status202Accepted, deferred),
        IResult result => new((result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK, (result as IValueHttpResult)?.Value),
        _ => new(StatusCodes.Status200OK, returned),
    };
}
