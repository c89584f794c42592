using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.DependencyInjection;

/// <summary>
/// Durations are TimeSpans: <c>WorkRetryDelay</c> and <c>Reporting:RetryDelays</c> replace the settings in seconds,
/// which are still read for a release, with a warning at start-up that names the new key; the new key wins.
/// </summary>
public sealed class RenamedSettingsTests : StandInTest
{
    private const int RenamedSettingUsed = 1010;
    private const int RenamedSettingOverridden = 1011;

    // The test host sets the new keys for speed; a null takes a key out, so a case sets exactly what it names.
    private Task<ReceiverTestHost> StartAsync(Dictionary<string, string?> settings)
    {
        var withoutTheHostsOwn = new Dictionary<string, string?> { ["Scenario:WorkRetryDelay"] = null, ["Scenario:Reporting:RetryDelays:0"] = null };
        foreach (var (key, value) in settings)
        {
            withoutTheHostsOwn[key] = value;
        }

        return ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], withoutTheHostsOwn, runHangfireServer: false);
    }

    private static ScenarioReceiverOptions Options(ReceiverTestHost host) => host.Services.GetRequiredService<IOptions<ScenarioReceiverOptions>>().Value;

    private static List<CapturedLogLine> RenameWarnings(ReceiverTestHost host)
        => [.. host.Logs.Lines.Where(line => line.EventId is RenamedSettingUsed or RenamedSettingOverridden)];

    [Fact]
    public async Task NoDelaySet_TheDefaults_AndNoWarning()
    {
        await using var host = await StartAsync([]);

        Assert.Equal(TimeSpan.FromSeconds(30), Options(host).WorkRetryDelay);
        Assert.Equal(ScenarioReceiverOptions.DefaultWorkRetryDelay, Options(host).WorkRetryDelay);
        Assert.Equal(ScenarioReportingOptions.DefaultRetryDelays, Options(host).Reporting.EffectiveRetryDelays);
        Assert.Equal(TimeSpan.FromMinutes(30), Options(host).Reporting.DelayBeforeRetry(9));
        Assert.Empty(RenameWarnings(host));
    }

    [Fact]
    public async Task WorkRetryDelay_TheNewKey_IsBoundWithoutAWarning()
    {
        await using var host = await StartAsync(new() { ["Scenario:WorkRetryDelay"] = "00:01:30" });

        Assert.Equal(TimeSpan.FromSeconds(90), Options(host).WorkRetryDelay);
        Assert.Empty(RenameWarnings(host));
    }

    [Fact]
    public async Task WorkRetryDelay_TheOldKeyAlone_IsUsedWithAWarningNamingTheNewKey()
    {
        await using var host = await StartAsync(new() { ["Scenario:WorkRetryDelaySeconds"] = "90" });

        Assert.Equal(TimeSpan.FromSeconds(90), Options(host).WorkRetryDelay);
        var warning = Assert.Single(RenameWarnings(host));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(RenamedSettingUsed, warning.EventId);
        Assert.Equal(
            "The setting Scenario:WorkRetryDelaySeconds is deprecated and read in this release only: set Scenario:WorkRetryDelay instead, a TimeSpan such as 00:00:30. Its value is used meanwhile.",
            warning.Message);
    }

    [Fact]
    public async Task WorkRetryDelay_BothKeys_TheNewWinsAndTheWarningSaysSo()
    {
        await using var host = await StartAsync(new() { ["Scenario:WorkRetryDelaySeconds"] = "90", ["Scenario:WorkRetryDelay"] = "00:00:07" });

        Assert.Equal(TimeSpan.FromSeconds(7), Options(host).WorkRetryDelay);
        var warning = Assert.Single(RenameWarnings(host));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(RenamedSettingOverridden, warning.EventId);
        Assert.Equal(
            "The settings Scenario:WorkRetryDelaySeconds and Scenario:WorkRetryDelay are both set: Scenario:WorkRetryDelay wins and Scenario:WorkRetryDelaySeconds is ignored. Remove Scenario:WorkRetryDelaySeconds: it is deprecated, and the next release no longer reads it.",
            warning.Message);
    }

    [Fact]
    public async Task RetryDelays_TheNewKey_IsBoundWithoutAWarning()
    {
        await using var host = await StartAsync(new() { ["Scenario:Reporting:RetryDelays:0"] = "00:00:02", ["Scenario:Reporting:RetryDelays:1"] = "00:05:00" });

        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5)], Options(host).Reporting.EffectiveRetryDelays);
        Assert.Equal(TimeSpan.FromMinutes(5), Options(host).Reporting.DelayBeforeRetry(7));
        Assert.Empty(RenameWarnings(host));
    }

    [Fact]
    public async Task RetryDelays_TheOldKeyAlone_IsUsedWithAWarningNamingTheNewKey()
    {
        await using var host = await StartAsync(new() { ["Scenario:Reporting:RetryDelaysSeconds:0"] = "2", ["Scenario:Reporting:RetryDelaysSeconds:1"] = "300" });

        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5)], Options(host).Reporting.EffectiveRetryDelays);
        Assert.Equal(TimeSpan.FromSeconds(2), Options(host).Reporting.DelayBeforeRetry(1));
        var warning = Assert.Single(RenameWarnings(host));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(RenamedSettingUsed, warning.EventId);
        Assert.Equal(
            "The setting Scenario:Reporting:RetryDelaysSeconds is deprecated and read in this release only: set Scenario:Reporting:RetryDelays instead, a TimeSpan such as [\"00:00:10\", \"00:00:30\", \"00:01:00\"]. Its value is used meanwhile.",
            warning.Message);
    }

    [Fact]
    public async Task RetryDelays_BothKeys_TheNewWinsAndTheWarningSaysSo()
    {
        await using var host = await StartAsync(new() { ["Scenario:Reporting:RetryDelaysSeconds:0"] = "2", ["Scenario:Reporting:RetryDelays:0"] = "00:00:45" });

        Assert.Equal([TimeSpan.FromSeconds(45)], Options(host).Reporting.EffectiveRetryDelays);
        var warning = Assert.Single(RenameWarnings(host));
        Assert.Equal(RenamedSettingOverridden, warning.EventId);
        Assert.Equal(
            "The settings Scenario:Reporting:RetryDelaysSeconds and Scenario:Reporting:RetryDelays are both set: Scenario:Reporting:RetryDelays wins and Scenario:Reporting:RetryDelaysSeconds is ignored. Remove Scenario:Reporting:RetryDelaysSeconds: it is deprecated, and the next release no longer reads it.",
            warning.Message);
    }

    [Fact]
    public async Task WorkRetryDelay_TheOldKeySetInCode_IsUsedWithTheWarning()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured,
            Scenario,
            [typeof(TaskWorkController)],
            new() { ["Scenario:WorkRetryDelay"] = null },
            runHangfireServer: false,
#pragma warning disable CS0618 // The deprecated property, as code written for the previous release sets it.
            configure: builder => builder.Services.Configure<ScenarioReceiverOptions>(options => options.WorkRetryDelaySeconds = 12));
#pragma warning restore CS0618

        Assert.Equal(TimeSpan.FromSeconds(12), Options(host).WorkRetryDelay);
        Assert.Equal(RenamedSettingUsed, Assert.Single(RenameWarnings(host)).EventId);
    }

    [Theory]
    [InlineData("Scenario:WorkRetryDelay", "-00:00:01", "Scenario:WorkRetryDelay must not be negative, e.g. 00:00:30.")]
    [InlineData("Scenario:WorkRetryDelaySeconds", "-1", "Scenario:WorkRetryDelaySeconds must not be negative; it is deprecated too: set Scenario:WorkRetryDelay instead, e.g. 00:00:30.")]
    [InlineData("Scenario:Reporting:RetryDelays:0", "-00:00:01", "Scenario:Reporting:RetryDelays must not contain negative delays.")]
    [InlineData("Scenario:Reporting:RetryDelaysSeconds:0", "-1", "Scenario:Reporting:RetryDelaysSeconds must not contain negative delays; it is deprecated too: set Scenario:Reporting:RetryDelays instead, e.g. [\"00:00:10\", \"00:00:30\"].")]
    public async Task Host_WithANegativeDelay_FailsAtStartNamingTheKeyAsSet(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { [key] = value }));

        Assert.Contains(message, error.Failures);
    }
}
