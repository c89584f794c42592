namespace Scenario.Receiver.Testing;

/// <summary>Awaits a condition on a snapshot, re-checked at each change of the request log, never by polling.</summary>
internal static class StandInWait
{
    public static async Task<IReadOnlyList<T>> UntilAsync<T>(
        ChangeSignal signal,
        Func<IReadOnlyList<T>> snapshot,
        Func<IReadOnlyList<T>, bool> predicate,
        TimeSpan timeout,
        Func<string> describeTimeout,
        CancellationToken cancellationToken)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive, zero, or Timeout.InfiniteTimeSpan.");
        }

        using var deadline = new CancellationTokenSource(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            // The signal is taken before the snapshot: a request recorded in between completes it, so no wake-up is lost.
            var changed = signal.Next;
            var current = snapshot();
            if (predicate(current))
            {
                return current;
            }

            try
            {
                await changed.WaitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                current = snapshot();
                if (predicate(current))
                {
                    return current;
                }

                throw new TimeoutException(describeTimeout());
            }
        }
    }
}
