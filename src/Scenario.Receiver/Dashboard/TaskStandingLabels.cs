using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>How the Scenario page names a <see cref="TaskStanding"/>, colours it and addresses its list.</summary>
internal static class TaskStandingLabels
{
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

    /// <summary>The list's path segment under the page (<c>/scenario/running</c>, …).</summary>
    public static string Segment(TaskStanding standing) => standing switch
    {
        TaskStanding.Running => "running",
        TaskStanding.Deferred => "deferred",
        TaskStanding.AwaitingDelivery => "awaiting-delivery",
        TaskStanding.Delivered => "delivered",
        TaskStanding.CancelledByScenario => "cancelled",
        _ => "needs-person",
    };

    /// <summary>The standing whose list <paramref name="segment"/> names, or null for none (the list of all tasks).</summary>
    public static TaskStanding? FromSegment(string? segment)
        => TaskStandings.All.Cast<TaskStanding?>().FirstOrDefault(standing => Segment(standing!.Value) == segment);

    /// <summary>What the list under this standing holds, in a sentence above it.</summary>
    public static string Meaning(TaskStanding standing) => standing switch
    {
        TaskStanding.Running => "Accepted, the work running, queued or retrying: no outcome yet. Scenario hears nothing until the work ends (or sends a progress post).",
        TaskStanding.Deferred => "The work deferred the task: it is still running in Scenario, waiting for its completion (a callback) until its deadline, when Scenario receives Error.",
        TaskStanding.AwaitingDelivery => "The outcome is decided and on its way: a first post, or a report job retrying after Scenario did not take it.",
        TaskStanding.NeedsPerson => "The terminal status will not reach Scenario until someone acts: Scenario refused it (e.g. 401/403), or the attempts ran out.",
        TaskStanding.Delivered => "Scenario took the terminal status.",
        _ => "Scenario cancelled the task before it had an outcome: nothing is posted for it.",
    };
}
