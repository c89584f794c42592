using Scenario.Receiver.Tasks;


namespace Scenario.Receiver.Work;

/// <summary>
/// How one run of a task's work ended for good: the outcome (null exactly when <see cref="HasNoOutcomeYet"/>), and the failure that ended it, if any (timeout,
/// last retry); or no outcome yet, because the work deferred it (<see cref="DeferredFor"/>) or Scenario
/// cancelled the task (<see cref="CancelledByScenario"/>).
/// </summary>
internal sealed record WorkResult(TaskOutcome? Outcome, Exception? AbandonedBecause = null)
{
    public TimeSpan? DeferredFor { get; init; }

    public bool CancelledByScenario { get; init; }

    /// <summary>Whether the work ended without an outcome to report now.</summary>
    public bool HasNoOutcomeYet => DeferredFor is not null || CancelledByScenario;

    public static WorkResult Deferred(TimeSpan deadline) => new(Outcome: null) { DeferredFor = deadline };

    public static WorkResult Cancelled() => new(Outcome: null) { CancelledByScenario = true };
}
