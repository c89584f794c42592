namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Repeats a write to the job storage until the storage answers, for the writes that must not be lost
/// because the storage blinked: an outcome whose work is done, the mark that a status was delivered. A
/// Hangfire retry would be worse for both: it runs the work again, or posts the status again.
/// </summary>
internal static class StorageRetry
{
    /// <summary>The first wait after a failed write; each further wait doubles, up to <see cref="MaxDelay"/>.</summary>
    internal static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait between two attempts: a storage that comes back is noticed within it, and a storage
    /// that stays away is asked only twice a minute by each waiting job.
    /// </summary>
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="write"/> until it does not throw. <paramref name="onFailure"/> hears each failure
    /// (the attempt, counted from 1, and the wait before the next). Only <paramref name="cancellationToken"/>
    /// ends the wait, with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task UntilWrittenAsync(Func<int, ValueTask> write, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write(attempt).ConfigureAwait(false);
                return;
            }
#pragma warning disable CA1031 // Any storage failure is waited out: its exception types depend on the storage.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                onFailure(ex, attempt, delay);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
