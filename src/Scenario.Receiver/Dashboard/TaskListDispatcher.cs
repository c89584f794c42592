using System.Globalization;
using Hangfire.Dashboard;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// <c>{dashboard}/scenario</c>: the accepted tasks, newest first, a page at a time, each with where it stands and what
/// comes next. Reads one page of the task store (an index, a sorted set), and the state of the report jobs on it.
/// </summary>
internal sealed class TaskListDispatcher : IDashboardDispatcher
{
    /// <summary>Tasks on a page unless the query says otherwise.</summary>
    internal const int DefaultPageSize = 20;

    private const int LargestPageSize = 500;

    public async Task Dispatch(DashboardContext context)
    {
        if (DashboardRequest.Lifecycle(context) is not { } lifecycle)
        {
            await DashboardRequest.NotFoundAsync(context, "This dashboard's host does not run Scenario.Receiver (AddScenarioReceiver).").ConfigureAwait(false);
            return;
        }

        var attentionOnly = context.Request.GetQuery("filter") == "attention";
        var from = Math.Max(0, Number(context.Request.GetQuery("from"), 0));
        var count = Math.Clamp(Number(context.Request.GetQuery("count"), DefaultPageSize), 1, LargestPageSize);
        var page = await lifecycle.Records.ListAsync(attentionOnly ? TaskListFilter.Undelivered : TaskListFilter.All, from, count, context.GetHttpContext().RequestAborted).ConfigureAwait(false);
        var reportJobs = ReportJobStates.Read(context.Storage, page.Tasks.Select(task => task.Record));

        var url = new UrlHelper(context);
        var html = new DashboardHtml();
        html.Raw("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Scenario tasks</h1>");
        html.Raw("<p>Each task Scenario sent to this service, newest first, where it stands and what the library does next. ")
            .Raw("A task's page shows its timeline and the actions an operator may take.</p>");
        html.Raw("<ul class=\"nav nav-tabs\" style=\"margin-bottom:10px\">")
            .Raw(attentionOnly ? "<li>" : "<li class=\"active\">").Link(url.To(ScenarioDashboard.Path), "All tasks").Raw("</li>")
            .Raw(attentionOnly ? "<li class=\"active\">" : "<li>").Link(url.To(ScenarioDashboard.Path + "?filter=attention"), "Awaiting Scenario (retrying or refused)").Raw("</li></ul>");

        if (page.Tasks.Count == 0)
        {
            html.Raw("<div class=\"alert alert-info\">No tasks").Text(attentionOnly ? " whose status waits for Scenario." : " in the task store.").Raw("</div>");
        }
        else
        {
            html.Raw("<div class=\"table-responsive\"><table class=\"table table-hover scenario-tasks\"><thead><tr>")
                .Raw("<th>Task</th><th>Endpoint</th><th>Accepted</th><th>Where it stands</th><th>Details</th></tr></thead><tbody>");
            foreach (var task in page.Tasks)
            {
                var standing = TaskStandings.Of(task.Record);
                html.Raw("<tr data-task=\"").Text(task.TaskInstanceId).Raw("\" data-standing=\"").Text(standing.ToString()).Raw("\"><td>")
                    .Link(url.To(ScenarioDashboard.Path + "/tasks/" + task.TaskInstanceId), task.TaskInstanceId)
                    .Raw("</td><td>").Text(task.Record.EntryKey)
                    .Raw("</td><td>").Time(task.Record.AcceptedAt)
                    .Raw("</td><td><span class=\"label ").Raw(TaskStandings.LabelClass(standing)).Raw("\">").Text(TaskStandings.Label(standing)).Raw("</span>")
                    .Raw("</td><td>");
                TaskDetails.Summary(html, task.Record, standing, reportJobs.GetValueOrDefault(task.Record.ReportJobId ?? string.Empty));
                html.Raw("</td></tr>");
            }

            html.Raw("</tbody></table></div>");
        }

        Pager(html, url, attentionOnly, from, count, page.Total);
        html.Raw("</div></div>");
        await new ScenarioPage("Scenario tasks", html.ToString()).RenderAsync(context).ConfigureAwait(false);
    }

    private static void Pager(DashboardHtml html, UrlHelper url, bool attentionOnly, int from, int count, long total)
    {
        var filter = attentionOnly ? "filter=attention&" : string.Empty;
        html.Raw("<div class=\"btn-toolbar\"><span class=\"scenario-total\">").Text(FormattableString.Invariant($"{(total == 0 ? 0 : from + 1)}–{Math.Min(total, from + count)} of {total}")).Raw("</span> ");
        if (from > 0)
        {
            html.Raw("<a class=\"btn btn-default btn-sm\" href=\"").Text(url.To(FormattableString.Invariant($"{ScenarioDashboard.Path}?{filter}from={Math.Max(0, from - count)}&count={count}"))).Raw("\">Newer</a> ");
        }

        if (from + count < total)
        {
            html.Raw("<a class=\"btn btn-default btn-sm\" href=\"").Text(url.To(FormattableString.Invariant($"{ScenarioDashboard.Path}?{filter}from={from + count}&count={count}"))).Raw("\">Older</a>");
        }

        html.Raw("</div>");
    }

    private static int Number(string? text, int fallback) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
