using Scenario.Receiver.Recovery;


namespace Scenario.Receiver.Tests.Jobs;

/// <summary>The sweep interval as the cron schedule Hangfire keeps.</summary>
public sealed class SweepSchedulerTests
{
    [Theory]
    [InlineData("00:00:01", "*/1 * * * * *")]
    [InlineData("00:00:30", "*/30 * * * * *")]
    [InlineData("00:01:00", "*/1 * * * *")]
    [InlineData("00:15:00", "*/15 * * * *")]
    [InlineData("01:00:00", "0 * * * *")]
    public void CronFor_AValidInterval_IsAnEvenSchedule(string interval, string cron)
    {
        var value = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(SweepScheduler.IsCronInterval(value));
        Assert.Equal(cron, SweepScheduler.CronFor(value));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("00:00:07")]
    [InlineData("00:00:45")]
    [InlineData("00:07:00")]
    [InlineData("00:01:30")]
    [InlineData("02:00:00")]
    public void IsCronInterval_AnUnevenInterval_IsFalse(string interval)
        => Assert.False(SweepScheduler.IsCronInterval(TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)));
}
