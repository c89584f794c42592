using Microsoft.Extensions.Options;

namespace Scenario.Receiver.Reporting;

/// <summary>
/// Decides whether a caller-suggested <c>X-Scenario-TaskStatusUrl</c> may be used. Reports carry the API
/// key, so by default they go only to the configured BaseUrl; a suggested URL is used only when its
/// origin (scheme, host, port) is listed in <see cref="ScenarioReceiverOptions.AllowedStatusUrlOrigins"/>.
/// </summary>
internal sealed class StatusUrlPolicy
{
    private readonly HashSet<string> _allowedOrigins;

    public StatusUrlPolicy(IOptions<ScenarioReceiverOptions> options)
        => _allowedOrigins = options.Value.AllowedStatusUrlOrigins
            .Select(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) ? Origin(uri) : null)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public Uri? AllowedOrNull(Uri? suggested)
        => suggested is not null && _allowedOrigins.Count > 0 && _allowedOrigins.Contains(Origin(suggested)) ? suggested : null;

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
