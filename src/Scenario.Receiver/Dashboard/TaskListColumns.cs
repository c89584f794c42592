using System.Globalization;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>One column of a list on the Scenario page: its header, and what it shows of a task.</summary>
internal sealed record TaskListColumn(string Header, Action<DashboardHtml, TaskRecord, ReportJobState?> Cell);

/// <summary>
/// The columns each list of the Scenario page shows beyond the task and its endpoint: what matters for tasks in that
/// standing (until when a deferred task waits; a delivery's attempts, last answer and next attempt; what was delivered and when).
/// </summary>
internal static class TaskListColumns
{
    public static IReadOnlyList<TaskListColumn> For(TaskStanding? standing) => standing switch
    {
        null =>
        [
            Accepted,
            new("Where it stands", (html, record, _) =>
            {
                var of = TaskStandings.Of(record);
                html.Raw("<span class=\"label ").Raw(TaskStandingLabels.LabelClass(of)).Raw("\">").Text(TaskStandingLabels.Label(of)).Raw("</span>");
            }),
            new("Details", (html, record, reportJob) => TaskDetails.Summary(html, record, TaskStandings.Of(record), reportJob)),
        ],
        TaskStanding.Running =>
        [
            Accepted,
            Workflow,
            new("Work job", (html, record, _) => html.Text(record.JobId)),
        ],
        TaskStanding.Deferred =>
        [
            Accepted,
            Workflow,
            new("Waits until", (html, record, _) => html.Time(record.DeferredUntil)),
            new("Then", (html, _, _) => html.Text("Error 504 (deadline)")),
        ],
        TaskStanding.AwaitingDelivery =>
        [
            Decided,
            Status,
            Attempts,
            LastAnswer,
            new("Next attempt", (html, record, reportJob) =>
            {
                if (reportJob?.NextAttemptAt is { } next)
                {
                    html.Time(next);
                }
                else
                {
                    html.Text(reportJob is null ? (record.Delivery is null ? "first post under way" : "—") : reportJob.StateName);
                }
            }),
        ],
        TaskStanding.NeedsPerson =>
        [
            Decided,
            Status,
            Attempts,
            LastAnswer,
            new("Last attempt", (html, record, _) => html.Time(record.Delivery?.LastAttemptAt)),
        ],
        TaskStanding.Delivered =>
        [
            Accepted,
            new("Delivered", (html, record, _) => html.Text(record.ReportedStatus)),
            new("At", (html, record, _) => html.Time(record.ReportedAt)),
            new("Decided by", (html, record, _) => html.Text(TaskDetails.Decider(record.DecidedBy))),
        ],
        _ =>
        [
            Accepted,
            Workflow,
            new("Cancelled at", (html, record, _) => html.Time(record.CancelledByScenarioAt)),
        ],
    };

    private static readonly TaskListColumn Accepted = new("Accepted", (html, record, _) => html.Time(record.AcceptedAt));

    private static readonly TaskListColumn Workflow = new("Workflow", (html, record, _) => html.Text(record.WorkflowInstanceId ?? "—"));

    private static readonly TaskListColumn Decided = new("Decided", (html, record, _) => html.Time(record.DecidedAt).Text(" by " + TaskDetails.Decider(record.DecidedBy)));

    private static readonly TaskListColumn Status = new("Status", (html, record, _) => html.Text(record.Outcome is { } outcome ? FormattableString.Invariant($"{outcome.Status} {outcome.StatusCode}") : "—"));

    private static readonly TaskListColumn Attempts = new("Attempts", (html, record, _) => html.Text((record.Delivery?.Attempts ?? 0).ToString(CultureInfo.InvariantCulture)));

    private static readonly TaskListColumn LastAnswer = new("Last answer", (html, record, _) => html.Text(record.Delivery?.LastAnswer ?? "—"));
}
