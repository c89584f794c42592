namespace Scenario.Receiver.Testing;

/// <summary>
/// Settings of a <see cref="ScenarioStandIn"/>, read once by <see cref="ScenarioStandIn.StartAsync"/>:
/// changing them after the start has no effect.
/// </summary>
public sealed class ScenarioStandInOptions
{
    /// <summary>The bearer token a stand-in accepts unless told otherwise: <c>stand-in-api-key</c>.</summary>
    public const string DefaultApiKey = "stand-in-api-key";

    /// <summary>
    /// The worker token the stand-in accepts in <c>Authorization: bearer {token}</c>.
    /// Defaults to <see cref="DefaultApiKey"/>. A different token is answered with 403, none with 401.
    /// </summary>
    public string ApiKey { get; set; } = DefaultApiKey;

    /// <summary>
    /// The loopback port to listen on. Defaults to 0: any free port, which keeps parallel tests apart;
    /// read the result from <see cref="ScenarioStandIn.BaseUrl"/>.
    /// </summary>
    public int Port { get; set; }

    /// <summary>
    /// Called for each status the stand-in is about to accept, before it answers 204; <see langword="null"/> by default.
    /// It may run concurrently for concurrent posts. If it throws, the post is answered with 500 and the
    /// status is not accepted, so the failure shows up in <see cref="ScenarioStandIn.Requests"/> instead of vanishing.
    /// </summary>
    public Action<ReceivedTaskStatus>? OnStatusReceived { get; set; }
}
