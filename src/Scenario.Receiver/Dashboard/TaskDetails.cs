using System.Globalization;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>What the page says of a task: the one-line summary of the list, and the task page's timeline.</summary>
internal static class TaskDetails
{
    /// <summary>What the task waits for, or what Scenario received, in one line.</summary>
    public static void Summary(DashboardHtml html, TaskRecord record, TaskStanding standing, ReportJobState? reportJob)
    {
        switch (standing)
        {
            case TaskStanding.Running:
                html.Text("Work running (job ").Text(record.JobId).Text(").");
                break;
            case TaskStanding.Deferred:
                html.Text("Waits for its completion until ").Time(record.DeferredUntil).Text("; then Error 504.");
                break;
            case TaskStanding.AwaitingDelivery or TaskStanding.NeedsPerson:
                html.Text(FormattableString.Invariant($"{record.Outcome!.Status} {record.Outcome.StatusCode}, decided by {Decider(record.DecidedBy)}. "));
                if (record.Delivery is { } delivery)
                {
                    html.Text(string.Create(CultureInfo.InvariantCulture, $"{delivery.Attempts} attempt(s), last answer: {delivery.LastAnswer}. "));
                }

                if (reportJob?.NextAttemptAt is { } next)
                {
                    html.Text("Next attempt ").Time(next).Text(".");
                }
                else if (standing == TaskStanding.NeedsPerson || reportJob?.StateName == "Failed")
                {
                    html.Text("No further attempt: fix the cause, then retry the delivery.");
                }

                break;
            case TaskStanding.Delivered:
                html.Text("Scenario took ").Text(record.ReportedStatus).Text(" at ").Time(record.ReportedAt).Text(".");
                if (record.Delivery?.RedeliveredAt is { } again)
                {
                    html.Text(" Posted a second time by an operator at ").Time(again).Text(".");
                }

                break;
            default:
                html.Text("Scenario cancelled it at ").Time(record.CancelledByScenarioAt).Text("; nothing is posted.");
                break;
        }
    }

    /// <summary>The task's timeline, from what its record holds, oldest first.</summary>
    public static void Timeline(DashboardHtml html, TaskRecord record, ReportJobState? reportJob)
    {
        html.Raw("<ul class=\"list-group scenario-timeline\">");
        Item(html, record.AcceptedAt, "Accepted").Text(" at endpoint ").Raw("<code>").Text(record.EntryKey).Raw("</code>")
            .Text(", workflow ").Raw("<code>").Text(record.WorkflowInstanceId ?? "(none given)").Raw("</code>")
            .Text(", queue ").Text(record.Queue).Raw("</li>");
        if (record.DeferredUntil is { } until)
        {
            Item(html, null, "Deferred").Text(" by its work: waits for its completion until ").Time(until).Text(", then Error 504 (deadline job ").Text(record.DeadlineJobId).Text(").").Raw("</li>");
        }

        if (record.ProgressUntil is { } progress && !record.IsReported)
        {
            Item(html, null, "Progress").Text(" a progress post may be on its way until ").Time(progress).Raw("</li>");
        }

        if (record.CancelledByScenarioAt is { } cancelled)
        {
            Item(html, cancelled, "Cancelled by Scenario").Text(record.Outcome is null ? ": nothing is posted for it." : ", after its outcome was decided: the outcome is still delivered.").Raw("</li>");
        }

        if (record.Outcome is { } outcome)
        {
            Item(html, record.DecidedAt, "Decided").Text(FormattableString.Invariant($" {outcome.Status} {outcome.StatusCode} by {Decider(record.DecidedBy)}"))
                .Text(outcome.Message is null ? "." : ": " + outcome.Message).Raw("</li>");
        }

        if (record.Delivery is { } delivery)
        {
            Item(html, delivery.LastAttemptAt, delivery.NeedsPerson ? "Delivery stopped" : "Delivery attempt")
                .Text(string.Create(CultureInfo.InvariantCulture, $" {delivery.Attempts} attempt(s) without delivery; Scenario's last answer: {delivery.LastAnswer}"))
                .Text(delivery.NeedsPerson ? ". A person must act: fix the cause (the API key, the base URL), then retry the delivery." : ".").Raw("</li>");
        }

        if (reportJob is { } job && !record.IsReported)
        {
            Item(html, job.NextAttemptAt, "Next").Text(" report job ").Text(job.JobId).Text(" is ").Text(job.StateName)
                .Text(job.NextAttemptAt is null ? string.Empty : " until its next attempt").Text(job.Reason is null ? "." : ": " + job.Reason).Raw("</li>");
        }

        if (record.ReportedAt is { } reported)
        {
            Item(html, reported, "Delivered").Text(" Scenario took ").Text(record.ReportedStatus).Text(".").Raw("</li>");
        }

        if (record.Delivery?.RedeliveredAt is { } again)
        {
            Item(html, again, "Re-delivered").Text(" a second post of the terminal status, by ").Text(record.Delivery.RedeliveredBy)
                .Text("; Scenario answered: ").Text(record.Delivery.LastAnswer).Raw("</li>");
        }

        html.Raw("</ul>");
    }

    public static string Decider(TaskDecider? decider) => decider switch
    {
        TaskDecider.Work => "its work",
        TaskDecider.Callback => "a callback (IScenarioTaskCompletion)",
        TaskDecider.Deadline => "its deadline",
        TaskDecider.ScenarioCancellation => "Scenario's cancellation",
        TaskDecider.Sweeper => "the sweeper (the task was stuck)",
        TaskDecider.Operator => "an operator (dashboard)",
        _ => "(not recorded)",
    };

    private static DashboardHtml Item(DashboardHtml html, DateTimeOffset? at, string what)
    {
        html.Raw("<li class=\"list-group-item\"><strong>").Text(what).Raw("</strong>");
        if (at is not null)
        {
            html.Raw(" <small class=\"text-muted\">").Time(at).Raw("</small>");
        }

        return html.Raw(" ");
    }
}
