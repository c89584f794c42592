using Hangfire.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>What every Scenario page request needs from its host: the host's services, never a static lookup.</summary>
internal static class DashboardRequest
{
    /// <summary>This host's lifecycle, or null where the dashboard's host has no receiver (then the page says so).</summary>
    public static TaskLifecycle? Lifecycle(DashboardContext context) => context.GetHttpContext().RequestServices.GetService<TaskLifecycle>();

    /// <summary>The operator's name where the dashboard's authentication knows it.</summary>
    public static string OperatorName(DashboardContext context)
        => context.GetHttpContext().User.Identity?.Name is { Length: > 0 } name ? name : "(unnamed)";

    /// <summary>The hidden field of the host's antiforgery token, which the dashboard checks on every POST; empty where the host has none.</summary>
    public static void AntiforgeryField(DashboardContext context, DashboardHtml html)
    {
        var http = context.GetHttpContext();
        if (http.RequestServices.GetService<IAntiforgery>() is { } antiforgery)
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            html.Raw("<input type=\"hidden\" name=\"").Text(tokens.FormFieldName).Raw("\" value=\"").Text(tokens.RequestToken).Raw("\" />");
        }
    }

    /// <summary>A page that says why there is nothing to show: the host has no receiver, or no such task.</summary>
    public static Task NotFoundAsync(DashboardContext context, string why)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        var html = new DashboardHtml().Raw("<h1 class=\"page-header\">Scenario</h1><div class=\"alert alert-warning\">").Text(why).Raw("</div>");
        return new ScenarioPage("Scenario", html.ToString()).RenderAsync(context);
    }
}
