using System.Text.Json.Serialization;

namespace Scenario.Receiver.Request;

/// <summary>
/// The request that accepted a task, as the job shows it to the work: method, address, route values, the
/// headers except credentials, and the caller's identities. Taken at accept time
/// (<see cref="RequestSnapshotCapture"/>), carried as a job parameter, restored into the job's
/// <c>HttpContext</c> (<see cref="RequestSnapshotRestore"/>). Not named <c>RequestSnapshot</c>: that is the public
/// options' property (<c>ScenarioReceiverOptions.RequestSnapshot</c>), and the folder check reads names, not symbols.
/// </summary>
internal sealed class CapturedRequest
{
    [JsonPropertyName("method")]
    public required string Method { get; init; }

    [JsonPropertyName("scheme")]
    public required string Scheme { get; init; }

    [JsonPropertyName("host")]
    public string? Host { get; init; }

    [JsonPropertyName("pathBase")]
    public string? PathBase { get; init; }

    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("query")]
    public string? QueryString { get; init; }

    [JsonPropertyName("route")]
    public Dictionary<string, string?>? RouteValues { get; init; }

    [JsonPropertyName("headers")]
    public Dictionary<string, string?[]>? Headers { get; init; }

    [JsonPropertyName("user")]
    public List<IdentitySnapshot>? Identities { get; init; }
}

/// <summary>One of the caller's identities: how it was authenticated and its claims.</summary>
internal sealed record IdentitySnapshot(
    [property: JsonPropertyName("authenticationType")] string? AuthenticationType,
    [property: JsonPropertyName("nameClaimType")] string NameClaimType,
    [property: JsonPropertyName("roleClaimType")] string RoleClaimType,
    [property: JsonPropertyName("claims")] List<ClaimSnapshot> Claims);

/// <summary>One claim of an identity.</summary>
internal sealed record ClaimSnapshot(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("valueType")] string ValueType,
    [property: JsonPropertyName("issuer")] string Issuer);
