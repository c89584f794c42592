using Scenario.Receiver.Request;

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

    /// <summary>
    /// 503 problem+json with <c>Retry-After: 5</c>, the answer the receiver itself gives while the job storage cannot
    /// be reached (a RestCall, the task status endpoint). Return it from an endpoint of your own that uses the
    /// storage, <see cref="IScenarioTaskCompletion"/> for instance, when the storage fails: the caller then knows to
    /// send again, where a bare 500 says nothing.
    /// </summary>
    /// <param name="title">What could not be done, e.g. "The result could not be recorded now".</param>
    /// <param name="detail">What the caller should do, e.g. "Send the callback again.".</param>
    /// <returns>The result that answers 503.</returns>
    public static Microsoft.AspNetCore.Http.IResult StorageUnavailable(string title, string detail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        return new StorageUnavailableResult(title, detail);
    }

    /// <summary>
    /// 404 problem+json for a callback about a task this receiver did not accept (<see cref="IScenarioTaskCompletion.IsKnownAsync"/>
    /// said <see langword="false"/>), the answer <see cref="ScenarioCompletionResult.ToHttpResult"/> gives for an id that is
    /// not a task's. The id is named in the answer only when it is a task instance id (a GUID); anything else a caller sent
    /// is not echoed.
    /// </summary>
    /// <param name="taskInstanceId">The id the callback named.</param>
    /// <returns>The result that answers 404.</returns>
    public static Microsoft.AspNetCore.Http.IResult UnknownTask(string? taskInstanceId) => ProblemResponses.UnknownTask(taskInstanceId);
}
