using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// Decides whether a caller-suggested <c>X-Scenario-TaskStatusUrl</c> may be used. Reports carry the API
/// key, so by default they go only to the configured BaseUrl; a suggested URL is used only when its
/// origin (scheme, host, port) is listed in <see cref="ScenarioReceiverOptions.AllowedStatusUrlOrigins"/>.
/// </summary>
internal sealed class StatusUrlPolicy
{
    private readonly HashSet<string> _allowedOrigins;
    private readonly ILogger<StatusUrlPolicy> _logger;
    private int _ignoredNoticeLogged;

    public StatusUrlPolicy(IOptions<ScenarioReceiverOptions> options, ILogger<StatusUrlPolicy> logger)
    {
        _allowedOrigins = options.Value.AllowedStatusUrlOrigins
            .Select(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) ? Origin(uri) : null)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        _logger = logger;
    }

    public Uri? AllowedOrNull(Uri? suggested)
    {
        if (suggested is null)
        {
            return null;
        }

        if (_allowedOrigins.Contains(Origin(suggested)))
        {
            return suggested;
        }

        if (Interlocked.Exchange(ref _ignoredNoticeLogged, 1) == 0)
        {
            Log.TaskStatusUrlIgnored(_logger, "its origin is not listed in Scenario:AllowedStatusUrlOrigins");
        }

        return null;
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
