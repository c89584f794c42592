using Hangfire.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// <c>POST {dashboard}/scenario/tasks/{id}/{action}</c>: an action on a task. Refused (403) in a read-only dashboard,
/// without the host's antiforgery token (checked here too, whatever the dashboard's IgnoreAntiforgeryToken says), and
/// unconfirmed; then the task's page again, which says whether it was done.
/// </summary>
internal sealed class TaskActionDispatcher : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (context.IsReadOnly || !await AntiforgeryValidAsync(http).ConfigureAwait(false))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (DashboardRequest.Lifecycle(context) is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var taskInstanceId = context.UriMatch.Groups["id"].Value;
        var action = context.UriMatch.Groups["action"].Value;
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var done = form["confirm"] == "yes" && await RunAsync(context, http, taskInstanceId, action, form).ConfigureAwait(false);
        http.Response.Redirect(new UrlHelper(context).To($"{ScenarioDashboard.Path}/tasks/{taskInstanceId}?{(done ? "done" : "refused")}={action}"));
    }

    private static async Task<bool> RunAsync(DashboardContext context, HttpContext http, string taskInstanceId, string action, IFormCollection form)
    {
        var taskOperator = ActivatorUtilities.CreateInstance<TaskOperator>(http.RequestServices);
        var operatorName = DashboardRequest.OperatorName(context);

        // Not the request's token once begun: an operator who closes the tab must not cut a decision or a post in half.
        var result = action switch
        {
            "fail" => await taskOperator.FailAsync(taskInstanceId, operatorName, form["message"].ToString(), CancellationToken.None).ConfigureAwait(false),
            "complete" => await taskOperator.CompleteAsync(taskInstanceId, operatorName, Outputs(form["outputs"].ToString()), CancellationToken.None).ConfigureAwait(false),
            "retry" => await taskOperator.RetryDeliveryAsync(taskInstanceId, operatorName, CancellationToken.None).ConfigureAwait(false),
            _ => await taskOperator.RedeliverAsync(taskInstanceId, operatorName, CancellationToken.None).ConfigureAwait(false),
        };
        return !result.StartsWith(TaskOperator.NotDone, StringComparison.Ordinal);
    }

    /// <summary>One <c>name=value</c> a line; a line without <c>=</c> is a name with an empty value.</summary>
    internal static Dictionary<string, string> Outputs(string text)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var split = line.IndexOf('=', StringComparison.Ordinal);
            outputs[split < 0 ? line : line[..split].Trim()] = split < 0 ? string.Empty : line[(split + 1)..].Trim();
        }

        return outputs;
    }

    /// <summary>The host's antiforgery check; a host without antiforgery services gets no actions at all.</summary>
    private static async Task<bool> AntiforgeryValidAsync(HttpContext http)
        => http.RequestServices.GetService<IAntiforgery>() is { } antiforgery && await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false);
}
