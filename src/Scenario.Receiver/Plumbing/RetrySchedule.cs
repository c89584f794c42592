namespace Scenario.Receiver.Plumbing;

/// <summary>
/// When a retry may run. Retries (of the work and of a report) are Hangfire Scheduled jobs, not in-process
/// waits: a scheduled retry holds no worker, survives a restart, runs on any instance and shows in the
/// dashboard with its reason. Hangfire's scheduler would move a due job to its queue only when it next
/// polls (<c>BackgroundJobServerOptions.SchedulePollingInterval</c>, 15 s by default); <see cref="PromptRetries"/>
/// moves it when due from the process that scheduled it, and the scheduler remains the durable fallback.
/// </summary>
internal static class RetrySchedule
{
    /// <summary>
    /// Storages keep a scheduled job's time in whole seconds and run it once that second has begun, up to a
    /// second early; rounding up to the next second keeps a Retry-After from Scenario honoured in full.
    /// </summary>
    public static DateTime NotBefore(TimeSpan delay)
    {
        var at = DateTime.UtcNow + delay;
        if (delay <= TimeSpan.Zero || at.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return at;
        }

        return new DateTime((at.Ticks / TimeSpan.TicksPerSecond + 1) * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    /// <summary>The reason a scheduled retry shows in the dashboard.</summary>
    public static string Reason(int retry, RetryLaterException exception)
        => FormattableString.Invariant($"Retry {retry} in {exception.Delay.TotalSeconds:0.#} s: {exception.Message}");
}
