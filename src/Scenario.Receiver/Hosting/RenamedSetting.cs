namespace Scenario.Receiver.Hosting;

/// <summary>
/// A setting renamed when every duration became a <see cref="TimeSpan"/>: the old key (a number of seconds) is still
/// read for one release, so a configuration written for the previous one keeps working, and a warning at start-up
/// names the key that replaces it. The new key wins when both are set.
/// </summary>
internal sealed class RenamedSetting
{
#pragma warning disable CS0618 // The deprecated settings are read here, where they are retired from.
    /// <summary><c>WorkRetryDelaySeconds</c>, replaced by <c>WorkRetryDelay</c>.</summary>
    public static readonly RenamedSetting WorkRetryDelay = new(
        "Scenario:WorkRetryDelaySeconds",
        "Scenario:WorkRetryDelay",
        "00:00:30",
        options => options.WorkRetryDelaySeconds is not null,
        options => options.IsWorkRetryDelaySet);

    /// <summary><c>Reporting:RetryDelaysSeconds</c>, replaced by <c>Reporting:RetryDelays</c>.</summary>
    public static readonly RenamedSetting ReportRetryDelays = new(
        "Scenario:Reporting:RetryDelaysSeconds",
        "Scenario:Reporting:RetryDelays",
        "[\"00:00:10\", \"00:00:30\", \"00:01:00\"]",
        options => options.Reporting.RetryDelaysSeconds is { Length: > 0 },
        options => options.Reporting.IsRetryDelaysSet);
#pragma warning restore CS0618

    private readonly Func<ScenarioReceiverOptions, bool> _oldIsSet;
    private readonly Func<ScenarioReceiverOptions, bool> _newIsSet;

    private RenamedSetting(string oldKey, string newKey, string example, Func<ScenarioReceiverOptions, bool> oldIsSet, Func<ScenarioReceiverOptions, bool> newIsSet)
    {
        OldKey = oldKey;
        NewKey = newKey;
        Example = example;
        _oldIsSet = oldIsSet;
        _newIsSet = newIsSet;
    }

    /// <summary>Every renamed setting.</summary>
    public static IReadOnlyList<RenamedSetting> All { get; } = [WorkRetryDelay, ReportRetryDelays];

    /// <summary>The deprecated key, e.g. <c>Scenario:WorkRetryDelaySeconds</c>.</summary>
    public string OldKey { get; }

    /// <summary>The key that replaces it, e.g. <c>Scenario:WorkRetryDelay</c>.</summary>
    public string NewKey { get; }

    /// <summary>A value of the new key, in configuration's form.</summary>
    public string Example { get; }

    /// <summary>Whether the deprecated key is set (bound from configuration or assigned in code).</summary>
    public bool IsUsed(ScenarioReceiverOptions options) => _oldIsSet(options);

    /// <summary>Whether both keys are set: the new one wins, and the deprecated one is ignored.</summary>
    public bool IsOverridden(ScenarioReceiverOptions options) => _oldIsSet(options) && _newIsSet(options);
}
