using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Scenario.Receiver.Request;

/// <summary>
/// Takes the snapshot of the request that accepts a task. Credentials never enter it: <c>Authorization</c>,
/// <c>Proxy-Authorization</c>, <c>Cookie</c>, the headers named in
/// <see cref="ScenarioRequestSnapshotOptions.SensitiveHeaders"/>, and any header whose value holds the
/// receiver's own API key are left out, so no credential reaches job storage, the dashboard or a log.
/// </summary>
internal sealed class RequestSnapshotCapture
{
    private static readonly string[] CredentialHeaders = [HeaderNames.Authorization, HeaderNames.ProxyAuthorization, HeaderNames.Cookie];

    /// <summary>
    /// Headers the task carries already, so the snapshot need not: <c>Host</c> (its own field), the task's ids (the
    /// job's parameter; <see cref="RequestSnapshotRestore"/> puts all three back), and <c>Content-Length</c>, which
    /// would describe a body the job does not have. A pending task holds the snapshot in storage (docs/benchmarks.md).
    /// </summary>
    private static readonly string[] CarriedOrMeaninglessHeaders =
        [HeaderNames.Host, HeaderNames.ContentLength, ScenarioHeaderNames.TaskInstanceId, ScenarioHeaderNames.WorkflowInstanceId];

    private readonly ScenarioRequestSnapshotOptions _options;
    private readonly HashSet<string> _excluded;
    private readonly string? _apiKey;

    public RequestSnapshotCapture(IOptions<ScenarioReceiverOptions> options)
    {
        _options = options.Value.RequestSnapshot;
        _excluded = new HashSet<string>(CredentialHeaders.Concat(CarriedOrMeaninglessHeaders).Concat(_options.SensitiveHeaders), StringComparer.OrdinalIgnoreCase);
        _apiKey = options.Value.ApiKey;
    }

    /// <summary>The snapshot as JSON text, ready to travel as a job parameter.</summary>
    public string Capture(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var snapshot = new CapturedRequest
        {
            Method = request.Method,
            Scheme = request.Scheme,
            Host = request.Host.HasValue ? request.Host.Value : null,
            PathBase = request.PathBase.HasValue ? request.PathBase.Value : null,
            Path = request.Path.HasValue ? request.Path.Value : null,
            QueryString = request.QueryString.HasValue ? request.QueryString.Value : null,
            RouteValues = request.RouteValues.Count == 0
                ? null
                : request.RouteValues.ToDictionary(pair => pair.Key, pair => Convert.ToString(pair.Value, CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase),
            Headers = _options.IncludeHeaders ? Headers(request.Headers) : null,
            Identities = _options.IncludeUser ? Identities(httpContext) : null,
        };
        return JsonSerializer.Serialize(snapshot, RequestJsonContext.Default.CapturedRequest);
    }

    private Dictionary<string, string?[]> Headers(IHeaderDictionary headers)
    {
        var kept = new Dictionary<string, string?[]>(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            if (!_excluded.Contains(name) && !HoldsTheApiKey(values))
            {
                kept[name] = values.ToArray();
            }
        }

        return kept;
    }

    private bool HoldsTheApiKey(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (string.IsNullOrEmpty(_apiKey))
        {
            return false;
        }

        foreach (var value in values)
        {
            if (value is not null && value.Contains(_apiKey, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static List<IdentitySnapshot>? Identities(HttpContext httpContext)
    {
        var identities = httpContext.User.Identities
            .Where(identity => identity.IsAuthenticated || identity.Claims.Any())
            .Select(identity => new IdentitySnapshot(
                identity.AuthenticationType,
                identity.NameClaimType,
                identity.RoleClaimType,
                identity.Claims.Select(claim => new ClaimSnapshot(claim.Type, claim.Value, claim.ValueType, claim.Issuer)).ToList()))
            .ToList();
        return identities.Count == 0 ? null : identities;
    }
}
