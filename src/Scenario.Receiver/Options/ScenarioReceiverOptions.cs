using System.ComponentModel;

namespace Scenario.Receiver;

/// <summary>
/// Settings of the Scenario receiver, bound from the <c>Scenario</c> configuration section
/// (environment variables <c>Scenario__BaseUrl</c>, <c>Scenario__ApiKey</c>, …). Validated at start-up.
/// </summary>
public sealed class ScenarioReceiverOptions
{
    private TimeSpan? _workRetryDelay;

    /// <summary>The configuration section the options are usually bound from.</summary>
    public const string DefaultSectionName = "Scenario";

    /// <summary>Default of <see cref="RecordRetention"/>: 7 days.</summary>
    public static readonly TimeSpan DefaultRecordRetention = TimeSpan.FromDays(7);

    /// <summary>Default of <see cref="MaxMessageLength"/>: 4,000 characters.</summary>
    public const int DefaultMaxMessageLength = 4000;

    /// <summary>Default of <see cref="MaxOutputValuesBytes"/>: 64 KiB of serialized <c>outputValues</c>.</summary>
    public const int DefaultMaxOutputValuesBytes = 64 * 1024;

    /// <summary>Default of <see cref="MaxArgumentsBytes"/>: 1 MiB of carried arguments and request snapshot.</summary>
    public const int DefaultMaxArgumentsBytes = 1024 * 1024;

    /// <summary>Default of <see cref="WorkRetryDelay"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultWorkRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Default of the setting <see cref="WorkRetryDelaySeconds"/> replaced: 30.</summary>
    [Obsolete("Use DefaultWorkRetryDelay, a TimeSpan.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public const int DefaultWorkRetryDelaySeconds = 30;

    /// <summary>
    /// Default of <see cref="SweepInterval"/>: 1 minute. A task left without a terminal status (its job
    /// Failed, deleted or gone) is reported within about a minute, and the sweep, a read of one set plus one
    /// state per task still running, costs little at that pace even with many instances.
    /// </summary>
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Default of <see cref="SweepHorizon"/>: 10 minutes. A healthy running or deferred task costs the sweeper one look
    /// every 10 minutes, whatever the <see cref="SweepInterval"/>; a work job that fails or is deleted is found within
    /// one interval all the same, since its state change makes its task due at once.
    /// </summary>
    public static readonly TimeSpan DefaultSweepHorizon = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Default of <see cref="HealthCheckTimeout"/>: 5 seconds, within the 1 to 10 s that probes are usually given, so a
    /// Scenario that hangs reads as Unhealthy in an answer rather than as a probe that timed out. Keep it below your
    /// probe's own timeout (Kubernetes' <c>timeoutSeconds</c>, 1 s unless set).
    /// </summary>
    public static readonly TimeSpan DefaultHealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Scenario's address, e.g. <c>https://scenario.example.com</c>. Statuses are posted to
    /// <c>{BaseUrl}/taskstatus/api/task-statuses</c>. Required.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// The worker token issued by the Scenario administrators, sent as <c>Authorization: bearer {ApiKey}</c>.
    /// Required. A secret: it never appears in logs, job arguments or the dashboard.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// What a <see cref="ScenarioLongRunningAttribute"/> action does with a call that has no
    /// <c>X-Scenario-TaskInstanceId</c>: <see langword="false"/> (default) answers 400 problem+json;
    /// <see langword="true"/> runs the action inline, as an ordinary request, for callers that are not Scenario.
    /// </summary>
    public bool RunInlineWithoutTaskInstanceId { get; set; }

    /// <summary>
    /// How long the work of a task may run before its token is cancelled and Scenario receives
    /// <c>Error</c> "timed out after …", unless the attribute sets its own
    /// <see cref="ScenarioLongRunningAttribute.TimeoutSeconds"/>. Default <see langword="null"/>: no limit.
    /// </summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>
    /// Deprecated: the delay in seconds that <see cref="WorkRetryDelay"/> (a <see cref="TimeSpan"/>, as every other
    /// duration) replaces; configuration key <c>Scenario:WorkRetryDelaySeconds</c>. Still read for one release, with a
    /// warning at start-up (event 1010); <see cref="WorkRetryDelay"/> wins when both are set (event 1011).
    /// </summary>
    /// <remarks>Declared before <see cref="WorkRetryDelay"/>, so the configuration binder binds it first.</remarks>
    [Obsolete("Use WorkRetryDelay, a TimeSpan (configuration Scenario:WorkRetryDelay, e.g. 00:00:30). This setting is still read for one release, with a warning at start-up.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? WorkRetryDelaySeconds { get; set; }

    /// <summary>
    /// Delay before a failed work attempt is retried, for actions whose attribute sets
    /// <see cref="ScenarioLongRunningAttribute.Retries"/> (configuration <c>Scenario:WorkRetryDelay</c>, e.g.
    /// <c>00:00:30</c>). Default <see cref="DefaultWorkRetryDelay"/>. Until it is set, the deprecated
    /// <see cref="WorkRetryDelaySeconds"/> counts when that is set; once set, it wins over that.
    /// </summary>
    public TimeSpan WorkRetryDelay
    {
#pragma warning disable CS0618 // The deprecated setting is read here, in one place, for the one release it is still accepted.
        get => _workRetryDelay ?? (WorkRetryDelaySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultWorkRetryDelay);
#pragma warning restore CS0618
        set
        {
            // The configuration binder writes every TimeSpan property back after binding, whether the configuration
            // set it or not. Such a write of the value the property has already changes nothing and is not counted as
            // setting it: else an unset WorkRetryDelay would always win over the deprecated setting.
            if (_workRetryDelay is null && value == WorkRetryDelay)
            {
                return;
            }

            _workRetryDelay = value;
        }
    }

    /// <summary>
    /// Whether <see cref="WorkRetryDelay"/> itself was set to a value of its own (bound or assigned), so it wins over
    /// the deprecated setting.
    /// </summary>
    internal bool IsWorkRetryDelaySet => _workRetryDelay is not null;

    /// <summary>
    /// Origins (scheme, host and port, e.g. <c>https://scenario.example.com</c>) whose
    /// <c>X-Scenario-TaskStatusUrl</c> is trusted. Default empty: the header is ignored and reports go
    /// only to <see cref="BaseUrl"/>, because the API key must never be sent where a caller says.
    /// </summary>
    public string[] AllowedStatusUrlOrigins { get; set; } = [];

    /// <summary>How long the per-task record (job id, outcome, reported status) is kept. Default 7 days.</summary>
    public TimeSpan RecordRetention { get; set; } = DefaultRecordRetention;

    /// <summary>Longest <c>message</c> sent to Scenario; longer ones are cut. Default 4,000 characters.</summary>
    public int MaxMessageLength { get; set; } = DefaultMaxMessageLength;

    /// <summary>
    /// Largest serialized <c>outputValues</c> sent to Scenario. A larger result is reported as <c>Error</c>
    /// with a message that says so. Default 64 KiB.
    /// </summary>
    public int MaxOutputValuesBytes { get; set; } = DefaultMaxOutputValuesBytes;

    /// <summary>
    /// Largest size of what a task carries to its job: the bound arguments as JSON plus the request snapshot.
    /// A larger call is answered 413 problem+json and nothing is enqueued: job storage is no place for bulk
    /// data (store it and pass a reference). Default 1 MiB.
    /// </summary>
    public int MaxArgumentsBytes { get; set; } = DefaultMaxArgumentsBytes;

    /// <summary>
    /// How often the sweeper (a Hangfire recurring job, run by any instance) looks for accepted tasks that
    /// nothing will report any more (the work job Failed, deleted or gone, with no report job on its way) and
    /// reports them: the stored outcome, or an <c>Error</c> saying what happened. It becomes a cron schedule,
    /// so it is a whole number of seconds dividing a minute (1 to 30 s) or of minutes dividing an hour
    /// (1 to 60 min). Default <see cref="DefaultSweepInterval"/>.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = DefaultSweepInterval;

    /// <summary>
    /// How long the sweeper leaves a task it found healthy (its work queued or running, its delivery on its way, or
    /// deferred) before it looks again. Each task carries the time of its next look: set one horizon ahead at the
    /// accept and at each look, made due at once when its work job or its report job ends Failed or Deleted, and gone
    /// once the task is reported; a sweep visits only the tasks due, so its cost follows what needs attention, not the
    /// number of pending tasks. What no state change announces (a job that vanished from the storage, a job that
    /// succeeded without reporting) is found within a horizon. A horizon shorter than <see cref="SweepInterval"/> counts as
    /// the interval. Positive. Default
    /// <see cref="DefaultSweepHorizon"/>.
    /// </summary>
    public TimeSpan SweepHorizon { get; set; } = DefaultSweepHorizon;

    /// <summary>The horizon in effect: <see cref="SweepHorizon"/>, or <see cref="SweepInterval"/> when that is longer.</summary>
    internal TimeSpan EffectiveSweepHorizon => SweepHorizon > SweepInterval ? SweepHorizon : SweepInterval;

    /// <summary>
    /// How long the health check (<c>AddHealthChecks().AddScenario()</c>) waits for Scenario's answer to its
    /// <c>ServiceStatus</c> probe before it reports Unhealthy "no answer within …": a bound of its own, apart from
    /// <see cref="ScenarioReportingOptions.RequestTimeout"/>, so the health endpoint answers within it whatever Scenario
    /// does. Default <see cref="DefaultHealthCheckTimeout"/> (5 seconds).
    /// </summary>
    public TimeSpan HealthCheckTimeout { get; set; } = DefaultHealthCheckTimeout;

    /// <summary>What of the accepting request is shown to the work in its job.</summary>
    public ScenarioRequestSnapshotOptions RequestSnapshot { get; set; } = new();

    /// <summary>How statuses are delivered to Scenario.</summary>
    public ScenarioReportingOptions Reporting { get; set; } = new();

    /// <summary>How the receiver asks Scenario whether it cancelled a running or deferred task.</summary>
    public ScenarioCancellationOptions Cancellation { get; set; } = new();

    /// <summary>Where the per-task records live: the process's memory on Hangfire.InMemory, else Hangfire's storage (the default), or a PostgreSQL table.</summary>
    public ScenarioTaskStoreOptions TaskStore { get; set; } = new();
}
