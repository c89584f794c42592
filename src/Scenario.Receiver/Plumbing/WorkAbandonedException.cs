namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Thrown by the work job when the work is over for good (retries exhausted, timed out) after it stored
/// and reported the <c>Error</c> outcome. <see cref="ScenarioJobStateFilterAttribute"/> moves the job to
/// Deleted rather than Failed: the task is finished, and a Failed job invites a requeue that would only
/// run the work again.
/// </summary>
internal sealed class WorkAbandonedException : Exception
{
    public WorkAbandonedException(string reason, Exception? innerException = null)
        : base(reason, innerException)
    {
    }
}
