namespace Scenario.Receiver;

/// <summary>Results a long-running endpoint's work can end with besides what an ordinary endpoint answers.</summary>
public static class ScenarioResults
{
    /// <summary>
    /// The outcome comes later: nothing is reported now and the task stays RUNNING in Scenario until
    /// <see cref="IScenarioTaskCompletion"/> completes or fails it. Without that by <paramref name="deadline"/>,
    /// Scenario receives <c>Error</c> with statusCode 504 ("not completed within …"). Return it from an MVC
    /// action (declared to return <see cref="Microsoft.AspNetCore.Http.IResult"/>) or a minimal-API handler alike.
    /// </summary>
    /// <param name="deadline">How long, from now, the task waits for its completion. Positive.</param>
    /// <returns>The result that defers the task.</returns>
    public static ScenarioDeferredResult Deferred(TimeSpan deadline)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        return new ScenarioDeferredResult(deadline);
    }
}
