namespace Scenario.Receiver;

/// <summary>
/// What a task had already when a call of <see cref="IScenarioTaskCompletion"/> could not decide it:
/// <see cref="ScenarioCompletionResult.PriorOutcome"/>.
/// </summary>
public enum ScenarioPriorOutcome
{
    /// <summary>Nothing: the call decided the outcome, or the id is not a task's (<see cref="ScenarioCompletionResult.IsUnknownTask"/>).</summary>
    None,

    /// <summary>The task had been completed: Scenario receives, or received, <c>Completed</c>.</summary>
    Completed,

    /// <summary>The task had failed (its work, a callback, its deadline): Scenario receives, or received, <c>Error</c>.</summary>
    Error,

    /// <summary>Scenario cancelled the task: nothing is, or ever will be, posted for it.</summary>
    CancelledByScenario,
}
