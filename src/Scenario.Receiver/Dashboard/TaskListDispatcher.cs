using System.Globalization;
using Hangfire.Dashboard;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// <c>{dashboard}/scenario</c> and <c>{dashboard}/scenario/{standing}</c>: the accepted tasks, all of them or those of one
/// standing, newest first, a page at a time, with a side menu of the lists as Hangfire's own job pages have. Reads one
/// page of the task store (an index, a sorted set: <see cref="ITaskStore.ListAsync"/>), and the state of the report jobs on it.
/// </summary>
internal sealed class TaskListDispatcher : IDashboardDispatcher
{
    /// <summary>Tasks on a page unless the query says otherwise.</summary>
    internal const int DefaultPageSize = 20;

    private const int LargestPageSize = 500;

    /// <summary>The route of the standings' lists: <c>{dashboard}/scenario/(running|deferred|…)</c>.</summary>
    public static string StandingRoute
        => ScenarioDashboard.Path + "/(?<standing>" + string.Join('|', TaskStandings.All.Select(TaskStandingLabels.Segment)) + ")";

    public async Task Dispatch(DashboardContext context)
    {
        if (DashboardRequest.Lifecycle(context) is not { } lifecycle)
        {
            await DashboardRequest.NotFoundAsync(context, "This dashboard's host does not run Scenario.Receiver (AddScenarioReceiver).").ConfigureAwait(false);
            return;
        }

        var standing = TaskStandingLabels.FromSegment(context.UriMatch.Groups["standing"].Value);
        var filter = new TaskListFilter(standing);
        var from = Math.Max(0, Number(context.Request.GetQuery("from"), 0));
        var count = Math.Clamp(Number(context.Request.GetQuery("count"), DefaultPageSize), 1, LargestPageSize);
        var page = await lifecycle.Records.ListAsync(filter, from, count, context.GetHttpContext().RequestAborted).ConfigureAwait(false);
        var reportJobs = ReportJobStates.Read(context.Storage, page.Tasks.Select(task => task.Record));

        var url = new UrlHelper(context);
        var title = standing is { } one ? "Scenario tasks: " + TaskStandingLabels.Label(one) : "Scenario tasks";
        var html = new DashboardHtml();
        html.Raw("<div class=\"row\"><div class=\"col-md-3\">");
        SideMenu(html, url, standing);
        html.Raw("</div><div class=\"col-md-9\"><h1 class=\"page-header\">").Text(title).Raw("</h1><p class=\"scenario-meaning\">");
        html.Text(standing is { } listed
            ? TaskStandingLabels.Meaning(listed)
            : "Each task Scenario sent to this service, newest first, where it stands and what the library does next. A task's page shows its timeline and the actions an operator may take.");
        html.Raw("</p>");

        if (page.Tasks.Count == 0)
        {
            html.Raw("<div class=\"alert alert-info\">No tasks").Text(standing is null ? " in the task store." : " in this list.").Raw("</div>");
        }
        else
        {
            var columns = TaskListColumns.For(standing);
            html.Raw("<div class=\"table-responsive\"><table class=\"table table-hover scenario-tasks\"><thead><tr><th>Task</th><th>Endpoint</th>");
            foreach (var column in columns)
            {
                html.Raw("<th>").Text(column.Header).Raw("</th>");
            }

            html.Raw("</tr></thead><tbody>");
            foreach (var task in page.Tasks)
            {
                html.Raw("<tr data-task=\"").Text(task.TaskInstanceId).Raw("\" data-standing=\"").Text(TaskStandings.Of(task.Record).ToString()).Raw("\"><td>")
                    .Link(url.To(ScenarioDashboard.Path + "/tasks/" + task.TaskInstanceId), task.TaskInstanceId)
                    .Raw("</td><td>").Text(task.Record.EntryKey).Raw("</td>");
                var reportJob = reportJobs.GetValueOrDefault(task.Record.ReportJobId ?? string.Empty);
                foreach (var column in columns)
                {
                    html.Raw("<td>");
                    column.Cell(html, task.Record, reportJob);
                    html.Raw("</td>");
                }

                html.Raw("</tr>");
            }

            html.Raw("</tbody></table></div>");
        }

        Pager(html, url, ListPath(standing), from, count, page.Total);
        html.Raw("</div></div>");
        await new ScenarioPage(title, html.ToString()).RenderAsync(context).ConfigureAwait(false);
    }

    /// <summary>The lists, as Hangfire's job pages list their states: every task first, then each standing.</summary>
    private static void SideMenu(DashboardHtml html, UrlHelper url, TaskStanding? current)
    {
        html.Raw("<div class=\"list-group scenario-lists\">");
        MenuItem(html, url, null, current, "All tasks");
        foreach (var standing in TaskStandings.All)
        {
            MenuItem(html, url, standing, current, TaskStandingLabels.Label(standing));
        }

        html.Raw("</div>");
    }

    private static void MenuItem(DashboardHtml html, UrlHelper url, TaskStanding? standing, TaskStanding? current, string label)
        => html.Raw("<a class=\"list-group-item").Raw(standing == current ? " active" : string.Empty).Raw("\" data-list=\"")
            .Text(standing is { } one ? TaskStandingLabels.Segment(one) : "all").Raw("\" href=\"").Text(url.To(ListPath(standing))).Raw("\">")
            .Text(label).Raw("</a>");

    private static string ListPath(TaskStanding? standing) => standing is { } one ? ScenarioDashboard.Path + "/" + TaskStandingLabels.Segment(one) : ScenarioDashboard.Path;

    private static void Pager(DashboardHtml html, UrlHelper url, string path, int from, int count, long total)
    {
        html.Raw("<div class=\"btn-toolbar\"><span class=\"scenario-total\">").Text(FormattableString.Invariant($"{(total == 0 ? 0 : from + 1)}–{Math.Min(total, from + count)} of {total}")).Raw("</span> ");
        if (from > 0)
        {
            html.Raw("<a class=\"btn btn-default btn-sm\" href=\"").Text(url.To(FormattableString.Invariant($"{path}?from={Math.Max(0, from - count)}&count={count}"))).Raw("\">Newer</a> ");
        }

        if (from + count < total)
        {
            html.Raw("<a class=\"btn btn-default btn-sm\" href=\"").Text(url.To(FormattableString.Invariant($"{path}?from={from + count}&count={count}"))).Raw("\">Older</a>");
        }

        html.Raw("</div>");
    }

    private static int Number(string? text, int fallback) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
