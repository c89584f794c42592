using System.ComponentModel;

namespace Scenario.Receiver;

/// <summary>
/// How statuses reach Scenario (<c>Scenario:Reporting</c>). Every status is delivered by a Hangfire job,
/// so a restart or an outage of Scenario loses nothing.
/// </summary>
public sealed class ScenarioReportingOptions
{
    /// <summary>
    /// Default of <see cref="RetryDelays"/>: 10 s, 30 s, 1 min, 5 min, 15 min, then every 30 min.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
    ];

    /// <summary>Default of the setting <see cref="RetryDelaysSeconds"/> replaced, in seconds.</summary>
    [Obsolete("Use DefaultRetryDelays, TimeSpans.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static readonly IReadOnlyList<int> DefaultRetryDelaysSeconds = [10, 30, 60, 300, 900, 1800];

    /// <summary>
    /// Default of <see cref="MaxAttempts"/>: 60, which with the default delays keeps trying for about
    /// 27 hours, to ride out an outage of Scenario of at least a day.
    /// </summary>
    public const int DefaultMaxAttempts = 60;

    /// <summary>
    /// Default of <see cref="RequestTimeout"/>: 2 minutes. A post that times out is posted again, and if
    /// Scenario had taken the first one, it gets the terminal status twice: the timeout is the window for that,
    /// so it is long enough for a slow Scenario (answers after 40 s have been seen), not a snappy 30 s.
    /// </summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Default of <see cref="MaxRetryDelay"/>: 1 hour. Longer than the longest default delay (30 min), so
    /// Scenario's own Retry-After is honoured in every ordinary case, and short enough that a status is never
    /// parked for days by one bad header.
    /// </summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// Default of <see cref="InlineAttemptTimeout"/>: 5 seconds. Long enough for a Scenario that answers in
    /// the ordinary way (well under a second), short enough that a hung Scenario holds a work worker for
    /// seconds, not minutes.
    /// </summary>
    public static readonly TimeSpan DefaultInlineAttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Default of <see cref="Workers"/>: 2.</summary>
    public const int DefaultWorkers = 2;

    /// <summary>
    /// The Hangfire queue of the report jobs (the jobs that carry on delivering a terminal status after the
    /// work job's own attempt): "scenario-reports". The receiver runs a Hangfire server of its own for this queue
    /// (<see cref="Workers"/>), so a Scenario that hangs holds report workers, never the workers of the work.
    /// </summary>
    public const string ReportQueue = "scenario-reports";

    /// <summary>Default of <see cref="ProgressInterval"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Delays between attempts to deliver a status after a transient failure (connection refused, timeout, 408, 429,
    /// 5xx); configuration <c>Scenario:Reporting:RetryDelays</c>, e.g. <c>["00:00:10", "00:00:30", "00:01:00"]</c>. The
    /// last value repeats. A longer <c>Retry-After</c> from Scenario wins, up to <see cref="MaxRetryDelay"/>.
    /// <see langword="null"/> or empty (the default): the deprecated <see cref="RetryDelaysSeconds"/> when set, else
    /// <see cref="DefaultRetryDelays"/>. An array, not a list with the defaults in it, because configuration binding adds
    /// to a list it finds rather than replacing it.
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>
    /// Deprecated: the delays in seconds that <see cref="RetryDelays"/> (<see cref="TimeSpan"/>s, as every other
    /// duration) replaces; configuration key <c>Scenario:Reporting:RetryDelaysSeconds</c>. Still read for one release,
    /// with a warning at start-up (event 1010); <see cref="RetryDelays"/> wins when both are set.
    /// </summary>
    [Obsolete("Use RetryDelays, TimeSpans (configuration Scenario:Reporting:RetryDelays, e.g. [\"00:00:10\", \"00:00:30\"]). This setting is still read for one release, with a warning at start-up.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int[]? RetryDelaysSeconds { get; set; }

    /// <summary>
    /// The longest Scenario's <c>Retry-After</c> may hold back the next attempt; a longer one is cut to this,
    /// with a warning in the log. Default <see cref="DefaultMaxRetryDelay"/> (1 hour).
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = DefaultMaxRetryDelay;

    /// <summary>Attempts to deliver one status before its job ends failed in the dashboard. Default 60.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>
    /// Timeout of one post to Scenario. Default <see cref="DefaultRequestTimeout"/> (2 minutes). A terminal
    /// post without an answer in time is posted again on the retry schedule, a duplicate if Scenario had
    /// taken it; let Hangfire's <c>ShutdownTimeout</c> and the host's <c>HostOptions.ShutdownTimeout</c> exceed
    /// it so a shutdown lets a post in flight finish.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// How long the work job waits on Scenario once the work is done, after its outcome is stored: first for
    /// the last progress post, then for its one attempt at the terminal status. Default
    /// <see cref="DefaultInlineAttemptTimeout"/> (5 seconds). When Scenario does not answer in time, the work job
    /// ends (its worker is free for the next task) and a report job on <see cref="ReportQueue"/> carries on with
    /// <see cref="RequestTimeout"/>. A terminal post cut short may still have been taken by Scenario, which then
    /// gets the terminal status twice: this timeout is the window for that duplicate. Raise it toward
    /// <see cref="RequestTimeout"/> where Scenario is known to take posts and answer late, at the cost of a work
    /// worker held that long while Scenario hangs. A value above <see cref="RequestTimeout"/> counts as <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan InlineAttemptTimeout { get; set; } = DefaultInlineAttemptTimeout;

    /// <summary><see cref="InlineAttemptTimeout"/>, never longer than <see cref="RequestTimeout"/>.</summary>
    internal TimeSpan InlineAttemptBound => InlineAttemptTimeout < RequestTimeout ? InlineAttemptTimeout : RequestTimeout;

    /// <summary>
    /// Hangfire workers of the receiver's own server for <see cref="ReportQueue"/>, started in every host that runs
    /// a Hangfire server (<c>AddHangfireServer</c>). Default <see cref="DefaultWorkers"/> (2). 0 starts no such
    /// server: then a Hangfire server of the application must list <see cref="ReportQueue"/> in its queues, or no
    /// status that needed a second attempt is ever delivered.
    /// </summary>
    public int Workers { get; set; } = DefaultWorkers;

    /// <summary>
    /// Progress posts are coalesced to at most one per interval; the latest value wins. Default 2 seconds.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = DefaultProgressInterval;

    /// <summary>
    /// When set, an <c>InProgress</c> status is posted this often while the work runs, so Scenario's
    /// cockpit shows the task alive. Default <see langword="null"/>: no heartbeat.
    /// </summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Whether <see cref="RetryDelays"/> itself was set, so it wins over the deprecated setting.</summary>
    internal bool IsRetryDelaysSet => RetryDelays is { Length: > 0 };

    /// <summary>The delays in use: <see cref="RetryDelays"/>, else the deprecated <see cref="RetryDelaysSeconds"/>, else the defaults.</summary>
    internal IReadOnlyList<TimeSpan> EffectiveRetryDelays
    {
        get
        {
            if (RetryDelays is { Length: > 0 } delays)
            {
                return delays;
            }

#pragma warning disable CS0618 // The deprecated setting is read here, in one place, for the one release it is still accepted.
            return RetryDelaysSeconds is { Length: > 0 } seconds ? [.. seconds.Select(s => TimeSpan.FromSeconds(s))] : DefaultRetryDelays;
#pragma warning restore CS0618
        }
    }

    /// <summary>The delay before the given retry (1 = the first retry), from <see cref="EffectiveRetryDelays"/>.</summary>
    internal TimeSpan DelayBeforeRetry(int retry)
    {
        var delays = EffectiveRetryDelays;
        return delays[Math.Clamp(retry - 1, 0, delays.Count - 1)];
    }
}
