namespace Scenario.Receiver;

/// <summary>
/// What of the accepting request travels with a task and is shown to the work in its job
/// (<c>Scenario:RequestSnapshot</c>): the method, path, query and route values always; the headers and the
/// caller's identity unless switched off. Credentials never travel.
/// </summary>
public sealed class ScenarioRequestSnapshotOptions
{
    /// <summary>
    /// Whether the request headers travel, except <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>,
    /// the <see cref="SensitiveHeaders"/> and any header holding the receiver's API key. Default <see langword="true"/>.
    /// </summary>
    public bool IncludeHeaders { get; set; } = true;

    /// <summary>Whether the caller's <c>ClaimsPrincipal</c> (its identities' authentication types and claims) travels. Default <see langword="true"/>.</summary>
    public bool IncludeUser { get; set; } = true;

    /// <summary>More headers to leave out, e.g. <c>X-Api-Key</c> (case-insensitive). Default empty.</summary>
    public string[] SensitiveHeaders { get; set; } = [];
}
