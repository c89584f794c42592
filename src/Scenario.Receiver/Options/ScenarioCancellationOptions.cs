namespace Scenario.Receiver;

/// <summary>
/// How the receiver learns that Scenario cancelled a task (<c>Scenario:Cancellation</c>). Scenario never pushes
/// a cancellation, so while a task's work runs, and while a task is deferred, the receiver asks Scenario's
/// polling service <c>GET {BaseUrl}/polling/api/Cancelled?catalogTaskDefinitionNamespace={Namespace}&amp;taskInstanceId={id}</c>.
/// </summary>
public sealed class ScenarioCancellationOptions
{
    /// <summary>
    /// Default of <see cref="PollInterval"/>: 30 seconds. Scenario cancels a task that ran past its RestCall
    /// timeout (30 s by default), so work that ends sooner never asks, and a cancelled task's work runs on
    /// for at most this long: one cheap GET per running task every 30 s.
    /// </summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a running or deferred task asks Scenario whether it was cancelled; the first question comes one
    /// interval after the work starts. Default <see cref="DefaultPollInterval"/>. Empty (or <see langword="null"/>)
    /// turns the polling off: the work then runs to its end whatever Scenario decided.
    /// </summary>
    public TimeSpan? PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>
    /// Default of <see cref="MaxQueriesPerSecond"/>: 20 questions a second, which asks 600 deferred tasks per default
    /// interval of 30 s.
    /// </summary>
    public const double DefaultMaxQueriesPerSecond = 20;

    /// <summary>
    /// How many questions a second the check of deferred tasks sends Scenario at most, spread evenly: Scenario's query takes
    /// one task per call. Deferred tasks are asked by one check per storage (one instance at a time), every
    /// <see cref="PollInterval"/>, oldest due first, at most this rate times the interval per round; with more deferred
    /// tasks than that, each is asked less often than every interval (a deadline still asks before it posts). Running
    /// tasks are asked by the instance that runs them (at most one question per worker per interval) and are not counted
    /// here. Positive. Default <see cref="DefaultMaxQueriesPerSecond"/>.
    /// </summary>
    public double MaxQueriesPerSecond { get; set; } = DefaultMaxQueriesPerSecond;

    /// <summary>
    /// The <c>catalogTaskDefinitionNamespace</c> sent with the question. Scenario's guide does not say which
    /// namespace a RestCall task carries, so it is configurable. Default empty.
    /// </summary>
    public string Namespace { get; set; } = string.Empty;
}
