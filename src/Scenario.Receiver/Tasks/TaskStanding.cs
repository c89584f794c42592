namespace Scenario.Receiver.Tasks;

/// <summary>
/// Where a task stands, read from its record alone: what the dashboard's Scenario page lists a task under, and what
/// the stores index their lists by (<see cref="ITaskStore.ListAsync"/>).
/// </summary>
internal enum TaskStanding
{
    /// <summary>Accepted, its work running (or queued, or retrying): no outcome yet.</summary>
    Running,

    /// <summary>Its work deferred it: running in Scenario, waiting for its completion or its deadline.</summary>
    Deferred,

    /// <summary>Its outcome is decided and on its way to Scenario: a first post, or a report job retrying.</summary>
    AwaitingDelivery,

    /// <summary>Scenario took its terminal status.</summary>
    Delivered,

    /// <summary>Scenario cancelled it: nothing is posted for it.</summary>
    CancelledByScenario,

    /// <summary>Its status will not reach Scenario until someone acts: Scenario refused it, or the attempts ran out.</summary>
    NeedsPerson,
}

/// <summary>
/// The one definition of a record's <see cref="TaskStanding"/>. The in-memory and the generic store index their lists by
/// this method itself; the PostgreSQL store's generated <c>standing</c> column spells the same rules in SQL, in the same
/// order, and the listing tests check the two agree on every standing.
/// </summary>
internal static class TaskStandings
{
    /// <summary>Every standing, in the order the page lists them.</summary>
    public static readonly TaskStanding[] All =
    [
        TaskStanding.Running,
        TaskStanding.Deferred,
        TaskStanding.AwaitingDelivery,
        TaskStanding.NeedsPerson,
        TaskStanding.Delivered,
        TaskStanding.CancelledByScenario,
    ];

    public static TaskStanding Of(TaskRecord record) => record switch
    {
        { IsReported: true } => TaskStanding.Delivered,
        { Outcome: null, CancelledByScenarioAt: not null } => TaskStanding.CancelledByScenario,
        { Outcome: not null, Delivery.NeedsPerson: true } => TaskStanding.NeedsPerson,
        { Outcome: not null } => TaskStanding.AwaitingDelivery,
        { DeferredUntil: not null } => TaskStanding.Deferred,
        _ => TaskStanding.Running,
    };
}
