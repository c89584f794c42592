namespace Scenario.Receiver.Jobs;

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
}
