using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>Where a task stands, as the Scenario page groups it: read from its record alone.</summary>
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

/// <summary>Reads a record's <see cref="TaskStanding"/> and names it for the page.</summary>
internal static class TaskStandings
{
    public static TaskStanding Of(TaskRecord record) => record switch
    {
        { IsReported: true } => TaskStanding.Delivered,
        { Outcome: null, CancelledByScenarioAt: not null } => TaskStanding.CancelledByScenario,
        { Outcome: not null, Delivery.NeedsPerson: true } => TaskStanding.NeedsPerson,
        { Outcome: not null } => TaskStanding.AwaitingDelivery,
        { DeferredUntil: not null } => TaskStanding.Deferred,
        _ => TaskStanding.Running,
    };

    public static string Label(TaskStanding standing) => standing switch
    {
        TaskStanding.Running => "Running",
        TaskStanding.Deferred => "Deferred",
        TaskStanding.AwaitingDelivery => "Awaiting delivery",
        TaskStanding.Delivered => "Delivered",
        TaskStanding.CancelledByScenario => "Cancelled by Scenario",
        _ => "Needs a person",
    };

    /// <summary>The label's colour, as Hangfire's own pages colour their states.</summary>
    public static string LabelClass(TaskStanding standing) => standing switch
    {
        TaskStanding.Running => "label-info",
        TaskStanding.Deferred => "label-primary",
        TaskStanding.AwaitingDelivery => "label-warning",
        TaskStanding.Delivered => "label-success",
        TaskStanding.CancelledByScenario => "label-default",
        _ => "label-danger",
    };
}
