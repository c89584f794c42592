using System.Text.Json;
using Hangfire.Dashboard;
using Hangfire.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// <c>{dashboard}/scenario/tasks/{id}</c>: one task's timeline from its record, its terminal status as sent (the body
/// alone: the API key travels in a header and is never kept), links to its Hangfire jobs, and the actions its standing
/// allows, none in a read-only dashboard.
/// </summary>
internal sealed class TaskPageDispatcher : IDashboardDispatcher
{
    private static readonly JsonSerializerOptions Indented = new(ScenarioJsonContext.Default.Options) { WriteIndented = true };

    public async Task Dispatch(DashboardContext context)
    {
        if (DashboardRequest.Lifecycle(context) is not { } lifecycle)
        {
            await DashboardRequest.NotFoundAsync(context, "This dashboard's host does not run Scenario.Receiver (AddScenarioReceiver).").ConfigureAwait(false);
            return;
        }

        var taskInstanceId = context.UriMatch.Groups["id"].Value;
        if (await lifecycle.Records.FindAsync(taskInstanceId, context.GetHttpContext().RequestAborted).ConfigureAwait(false) is not { } record)
        {
            await DashboardRequest.NotFoundAsync(context, $"No task {taskInstanceId} in the task store (never accepted here, or past its retention).").ConfigureAwait(false);
            return;
        }

        var standing = TaskStandings.Of(record);
        var reportJob = ReportJobStates.Read(context.Storage, [record]).GetValueOrDefault(record.ReportJobId ?? string.Empty);
        var url = new UrlHelper(context);
        var html = new DashboardHtml();
        html.Raw("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Scenario task <code>").Text(taskInstanceId).Raw("</code></h1>");
        ActionResult(html, context.Request.GetQuery("done"), context.Request.GetQuery("refused"));
        html.Raw("<p class=\"scenario-standing\"><span class=\"label ").Raw(TaskStandingLabels.LabelClass(standing)).Raw("\">").Text(TaskStandingLabels.Label(standing)).Raw("</span> ");
        TaskDetails.Summary(html, record, standing, reportJob);
        html.Raw("</p><p>").Link(url.To(ScenarioDashboard.Path), "← All Scenario tasks").Raw("</p>");

        html.Raw("<h3>Timeline</h3>");
        TaskDetails.Timeline(html, record, reportJob);

        if (record.Outcome is { } outcome)
        {
            html.Raw("<h3>").Text(record.IsReported ? "Terminal status as sent" : "Terminal status to be sent").Raw("</h3>")
                .Raw("<p class=\"text-muted\">The body posted to Scenario's TaskStatus API; the worker token goes in a header and is not kept.</p><pre class=\"scenario-status\">")
                .Text(JsonSerializer.Serialize(outcome.ToStatusEvent(taskInstanceId), Indented)).Raw("</pre>");
        }

        html.Raw("<h3>Hangfire jobs</h3><ul class=\"scenario-jobs\">");
        using (var connection = context.Storage.GetConnection())
        {
            Job(html, url, connection, "Work job", record.JobId);
            Job(html, url, connection, "Report job", record.ReportJobId);
            Job(html, url, connection, "Deadline job", record.DeadlineJobId);
            Job(html, url, connection, "Cancellation check", record.CancellationCheckJobId);
        }

        html.Raw("</ul>");

        // Hidden in a read-only dashboard, and refused there too (TaskActionDispatcher); without the host's antiforgery
        // services a form could be posted from any site, so there are none.
        if (!context.IsReadOnly && context.GetHttpContext().RequestServices.GetService<IAntiforgery>() is not null)
        {
            Actions(context, html, url, taskInstanceId, record, standing);
        }
        else if (!context.IsReadOnly)
        {
            html.Raw("<p class=\"text-muted\">Actions need the host's antiforgery services (<code>services.AddAntiforgery()</code>).</p>");
        }

        html.Raw("</div></div>");
        await new ScenarioPage("Scenario task " + taskInstanceId, html.ToString()).RenderAsync(context).ConfigureAwait(false);
    }

    private static void ActionResult(DashboardHtml html, string? done, string? refused)
    {
        if (ActionName(done) is { } doneName)
        {
            html.Raw("<div class=\"alert alert-success scenario-result\">").Text(doneName).Text(": done. The timeline below shows what followed.").Raw("</div>");
        }
        else if (ActionName(refused) is { } refusedName)
        {
            html.Raw("<div class=\"alert alert-warning scenario-result\">").Text(refusedName)
                .Text(": not done. The task no longer stood where the action applies (something else decided or delivered it), or the confirmation was not ticked.").Raw("</div>");
        }
    }

    /// <summary>The action named in a query, from a fixed list: nothing from the query is shown as it came.</summary>
    private static string? ActionName(string? action) => action switch
    {
        "fail" => "Fail the task",
        "complete" => "Complete the task",
        "retry" => "Retry the delivery now",
        "redeliver" => "Re-deliver the terminal status",
        _ => null,
    };

    /// <summary>A job's link, with its state and the state's reason: what the job did for the task (a work job an operator ended says so).</summary>
    private static void Job(DashboardHtml html, UrlHelper url, IStorageConnection connection, string what, string? jobId)
    {
        if (jobId is null)
        {
            return;
        }

        html.Raw("<li data-job=\"").Text(what).Raw("\">").Text(what).Raw(": ").Link(url.JobDetails(jobId), "#" + jobId);
        if (connection.GetStateData(jobId) is { } state)
        {
            html.Text(" — ").Raw("<span class=\"scenario-job-state\">").Text(state.Name).Raw("</span>").Text(state.Reason is { Length: > 0 } reason ? ": " + reason : string.Empty);
        }

        html.Raw("</li>");
    }

    private static void Actions(DashboardContext context, DashboardHtml html, UrlHelper url, string taskInstanceId, TaskRecord record, TaskStanding standing)
    {
        html.Raw("<h3>Actions</h3><div class=\"scenario-actions\">");
        var any = false;
        if (standing is TaskStanding.Running or TaskStanding.Deferred)
        {
            any = true;
            Form(context, html, url, taskInstanceId, "fail", "Fail the task now", "btn-danger",
                standing is TaskStanding.Running
                    ? "Scenario receives Error 500 with this message, once. The work job is deleted, so the work's cancellation token fires (at the Hangfire server's next cancellation check) and whatever it returns is dropped."
                    : "Scenario receives Error 500 with this message, once; the deadline is dropped, and a completion that comes later is refused.",
                fields => fields.Raw("<div class=\"form-group\"><label>Message</label><input class=\"form-control\" type=\"text\" name=\"message\" value=\"Failed by an operator from the dashboard.\" /></div>"));
        }

        if (standing is TaskStanding.Deferred)
        {
            any = true;
            Form(context, html, url, taskInstanceId, "complete", "Complete the task", "btn-success",
                "Scenario receives Completed with these output values (one name=value a line), once.",
                fields => fields.Raw("<div class=\"form-group\"><label>Output values</label><textarea class=\"form-control\" name=\"outputs\" rows=\"3\"></textarea></div>"));
        }

        if (standing is TaskStanding.AwaitingDelivery or TaskStanding.NeedsPerson)
        {
            any = true;
            Form(context, html, url, taskInstanceId, "retry", "Retry the delivery now", "btn-primary",
                "Its report job runs now instead of at its next attempt (or again, after a refusal or the last attempt). Scenario still receives the status once.",
                _ => { });
        }

        if (standing is TaskStanding.Delivered && record.Outcome is not null)
        {
            any = true;
            Form(context, html, url, taskInstanceId, "redeliver", "Re-deliver the terminal status (a second post)", "btn-warning",
                "Scenario took this status already. Post it a SECOND time only when Scenario lost it: the post is logged and shown as a second post.",
                _ => { });
        }

        if (!any)
        {
            html.Raw("<p class=\"text-muted\">None: nothing is left for the library or an operator to do for this task.</p>");
        }

        html.Raw("</div>");
    }

    private static void Form(DashboardContext context, DashboardHtml html, UrlHelper url, string taskInstanceId, string action, string title, string buttonClass, string explanation, Action<DashboardHtml> fields)
    {
        html.Raw("<form method=\"post\" class=\"panel panel-default scenario-action\" data-action=\"").Text(action).Raw("\" action=\"")
            .Text(url.To(ScenarioDashboard.Path + "/tasks/" + taskInstanceId + "/" + action)).Raw("\"><div class=\"panel-body\"><p>").Text(explanation).Raw("</p>");
        DashboardRequest.AntiforgeryField(context, html);
        fields(html);
        html.Raw("<div class=\"checkbox\"><label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required /> ").Text("I confirm: " + title.ToLowerInvariant()).Raw("</label></div>")
            .Raw("<button type=\"submit\" class=\"btn ").Raw(buttonClass).Raw("\">").Text(title).Raw("</button></div></form>");
    }
}
