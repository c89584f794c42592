using System.Globalization;
using System.Net;
using System.Text;

namespace Scenario.Receiver.Dashboard;

/// <summary>The Scenario page's HTML, built as text: every value is encoded here, on its way in.</summary>
internal sealed class DashboardHtml
{
    private readonly StringBuilder _html = new();

    /// <summary>Markup the page writes itself: never a value from a record or a request.</summary>
    public DashboardHtml Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>A value: encoded.</summary>
    public DashboardHtml Text(string? value)
    {
        _html.Append(WebUtility.HtmlEncode(value ?? string.Empty));
        return this;
    }

    /// <summary>A time, in UTC, as Hangfire's pages show one, with the exact value in its title.</summary>
    public DashboardHtml Time(DateTimeOffset? time)
    {
        if (time is not { } value)
        {
            return Text("—");
        }

        var exact = value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        return Raw("<span title=\"").Text(exact).Raw("\">").Text(value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)).Raw("</span>");
    }

    /// <summary>A link; <paramref name="href"/> is encoded as an attribute.</summary>
    public DashboardHtml Link(string href, string text) => Raw("<a href=\"").Text(href).Raw("\">").Text(text).Raw("</a>");

    public override string ToString() => _html.ToString();
}
