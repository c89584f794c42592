namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Thrown by a job that wants to run again after <see cref="Delay"/>. The job itself knows the schedule
/// (it has the options and the attempt number); <see cref="ScenarioJobStateFilterAttribute"/> only turns
/// the failure into a scheduled retry.
/// </summary>
internal sealed class RetryLaterException : Exception
{
    public RetryLaterException(TimeSpan delay, string reason, Exception? innerException = null)
        : base(reason, innerException) => Delay = delay;

    public TimeSpan Delay { get; }

    /// <summary>
    /// Whether the run that throws it counts as an attempt (of the work, of a delivery): false for a run that could not
    /// begin (its task store did not answer), whose retry is the same attempt again.
    /// </summary>
    public bool CountsAsAttempt { get; init; } = true;
}
