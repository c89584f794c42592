using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// The Scenario page's place in the Hangfire dashboard: its routes and its navigation item. Hangfire keeps both in
/// static collections shared by every dashboard of the process, so they are added once per process (the only static
/// state of the library, and it is Hangfire's); every request resolves its host's own services from the request, so
/// two hosts in one process each see their own tasks. Served by the dashboard's middleware, behind the dashboard's own
/// authorization and antiforgery check, and nowhere else.
/// </summary>
internal static class ScenarioDashboard
{
    /// <summary>The page's path under the dashboard's.</summary>
    public const string Path = "/scenario";

    private const string TaskIdPattern = "(?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Adds the routes and the navigation item, once per process whatever the number of hosts.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            DashboardRoutes.Routes.Add(Path, new TaskListDispatcher());
            DashboardRoutes.Routes.Add(TaskListDispatcher.StandingRoute, new TaskListDispatcher());
            DashboardRoutes.Routes.Add(Path + "/tasks/" + TaskIdPattern, new TaskPageDispatcher());
            DashboardRoutes.Routes.Add(Path + "/tasks/" + TaskIdPattern + "/(?<action>fail|complete|retry|redeliver)", new TaskActionDispatcher());
            NavigationMenu.Items.Add(page => new MenuItem("Scenario", page.Url.To(Path))
            {
                Active = page.RequestPath.StartsWith(Path, StringComparison.Ordinal),
                Metric = AttentionMetric,
            });
            _registered = true;
        }
    }

    /// <summary>
    /// The count beside the navigation item: terminal statuses waiting for Scenario (retrying or refused). Hangfire hands a
    /// menu item its page, not its request, so the request comes from the host's <see cref="IHttpContextAccessor"/>
    /// (AddScenarioReceiver adds it); a dashboard of a host without the receiver shows no count.
    /// </summary>
    private static readonly DashboardMetric AttentionMetric = new("scenario:attention", _ =>
    {
        var services = new HttpContextAccessor().HttpContext?.RequestServices;
        if (services?.GetService<TaskLifecycle>() is not { } lifecycle)
        {
            return null;
        }

        var count = lifecycle.Records.CountUndeliveredForMenu();
        return new Metric(count) { Style = count > 0 ? MetricStyle.Danger : MetricStyle.Default, Highlighted = count > 0, Title = "Terminal statuses waiting for Scenario" };
    });
}
