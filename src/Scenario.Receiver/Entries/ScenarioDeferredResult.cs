using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver;

/// <summary>
/// What <see cref="ScenarioResults.Deferred"/> returns: the task's outcome comes later, by
/// <see cref="IScenarioTaskCompletion"/>, or as an <c>Error</c> 504 at the deadline. The task core recognises
/// it whatever the entry point; run as an ordinary result (an endpoint called inline, not as a task) it
/// answers 202 Accepted, which is what a deferral means to a plain caller.
/// </summary>
public sealed class ScenarioDeferredResult : IResult, IStatusCodeHttpResult
{
    internal ScenarioDeferredResult(TimeSpan deadline) => Deadline = deadline;

    /// <summary>How long the task waits for its completion, counted from when its work ended.</summary>
    public TimeSpan Deadline { get; }

    /// <summary>202: the work is accepted and goes on elsewhere.</summary>
    public int? StatusCode => StatusCodes.Status202Accepted;

    /// <inheritdoc/>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status202Accepted;
        return Task.CompletedTask;
    }
}
