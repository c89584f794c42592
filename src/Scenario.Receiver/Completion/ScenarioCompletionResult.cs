namespace Scenario.Receiver;

/// <summary>What a call of <see cref="IScenarioTaskCompletion"/> achieved: it decided the task's outcome, or the task had one.</summary>
public sealed class ScenarioCompletionResult
{
    /// <summary>What <see cref="PriorOutcome"/> says of a task Scenario cancelled.</summary>
    public const string CancelledByScenario = "CancelledByScenario";

    private ScenarioCompletionResult(bool isDecided, string? priorOutcome)
    {
        IsDecided = isDecided;
        PriorOutcome = priorOutcome;
    }

    /// <summary>Whether this call decided the outcome; its status is on its way to Scenario (a job).</summary>
    public bool IsDecided { get; }

    /// <summary>
    /// When <see cref="IsDecided"/> is <see langword="false"/>: what the task had already, <c>Completed</c>, <c>Error</c>
    /// or <see cref="CancelledByScenario"/>. A callback endpoint answers 409 then.
    /// </summary>
    public string? PriorOutcome { get; }

    internal static ScenarioCompletionResult Decided { get; } = new(true, null);

    internal static ScenarioCompletionResult AlreadyFinished(string? priorOutcome) => new(false, priorOutcome);
}
