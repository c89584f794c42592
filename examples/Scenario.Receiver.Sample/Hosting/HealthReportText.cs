using System.Globalization;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scenario.Receiver.Sample.Hosting;

/// <summary>
/// The <c>/health</c> answer as text an operator can read: the overall status on the first line and, for each check
/// that is not Healthy, its description and data (the redirect's <c>Location</c>, the undelivered statuses).
/// </summary>
/// <remarks>
/// ASP.NET Core's default writer answers the status alone ("Degraded"), which hides why; a probe still reads only
/// the HTTP code (200 Healthy or Degraded, 503 Unhealthy), so Healthy stays the single word it was.
/// </remarks>
internal static class HealthReportText
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(entry => entry.Value.Status != HealthStatus.Healthy))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{name}: {entry.Status}: {entry.Description}");
            foreach (var (key, value) in entry.Data)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {key}: {value}");
            }
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }
}
