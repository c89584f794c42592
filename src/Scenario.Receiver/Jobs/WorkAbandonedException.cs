namespace Scenario.Receiver.Jobs;

/// <summary>
/// Thrown by the work job when the work is over for good (retries exhausted, timed out) after it stored
/// the <c>Error</c> outcome. <see cref="ScenarioJobStateFilterAttribute"/> moves the job to Deleted rather
/// than Failed, because only a final state fires the report continuation.
/// </summary>
internal sealed class WorkAbandonedException : Exception
{
    public WorkAbandonedException(string reason, Exception? innerException = null)
        : base(reason, innerException)
    {
    }
}
