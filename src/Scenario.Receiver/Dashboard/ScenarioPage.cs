using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// Hangfire's page without Razor: the HTML built by a dispatcher (encoded as it was built, <see cref="DashboardHtml"/>),
/// inside the dashboard's own layout, with its navigation, styles and scripts.
/// </summary>
internal sealed class ScenarioPage(string title, string body) : RazorPage
{
    public override void Execute()
    {
        Layout = new LayoutPage(title);
        WriteLiteral(body);
    }

    /// <summary>
    /// Renders the page for this request. Hangfire gives a page its request through its own page dispatcher alone, so a
    /// route collection of one page (a few objects per request) hands it over; the data was read, asynchronously, before.
    /// </summary>
    public Task RenderAsync(DashboardContext context)
    {
        var routes = new RouteCollection();
        routes.AddRazorPage("/", _ => this);
        return routes.FindDispatcher("/").Item1.Dispatch(context);
    }
}
