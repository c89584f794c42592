namespace Scenario.Receiver.Tasks;

/// <summary>Which path decided a task's outcome: kept in the record, so the dashboard and the logs can say who won.</summary>
internal enum TaskDecider
{
    /// <summary>The work job, with the work's own outcome.</summary>
    Work,

    /// <summary>An explicit completion (<see cref="IScenarioTaskCompletion"/>): a callback, a deferred task's completion.</summary>
    Callback,

    /// <summary>A deferred task's deadline passed.</summary>
    Deadline,

    /// <summary>Scenario cancelled the task: nothing is reported for it.</summary>
    ScenarioCancellation,

    /// <summary>The sweeper found the task stuck, with no outcome, and decided the Error that says why.</summary>
    Sweeper,

    /// <summary>An operator, from the dashboard's Scenario page: failed a running or deferred task, or completed a deferred one.</summary>
    Operator,
}
