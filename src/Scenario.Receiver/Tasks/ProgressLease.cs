namespace Scenario.Receiver.Tasks;

/// <summary>How long a progress post's lease lasts (<see cref="ITaskStore.TryBeginProgressAsync"/>): as long as the post can.</summary>
internal static class ProgressLease
{
    /// <summary>Room beyond the post's own timeout for the storage round trip that clears the lease.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Until when a post that starts now, with <paramref name="postTimeout"/>, may be on its way. Whole milliseconds, so
    /// that every store keeps it exactly (PostgreSQL's are microseconds) and the post's end finds its own lease.
    /// </summary>
    public static DateTimeOffset Until(TimeProvider time, TimeSpan postTimeout)
    {
        var until = time.GetUtcNow() + postTimeout + Margin;
        return new DateTimeOffset(until.UtcTicks - (until.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
