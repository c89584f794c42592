using Scenario.Receiver.Delivery;

namespace Scenario.Receiver.Work;

/// <summary>
/// Asks Scenario, every poll interval while one run of a task's work goes on, whether it cancelled the task,
/// and cancels <see cref="Token"/> when it did. One question in flight at a time (the next interval starts
/// once the answer is in); disposing it, when the work ends, stops the questions, one in flight included.
/// </summary>
internal sealed class CancellationWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancelled = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly PeriodicTimer? _timer;
    private readonly Task _loop;

    private CancellationWatch(CancellationQuery query, string taskInstanceId, TimeSpan? interval, TimeProvider time)
    {
        IsActive = interval is not null;
        if (interval is { } every)
        {
            _timer = new PeriodicTimer(every, time);

            // Runs to its first wait for the timer and returns: no thread-pool hop for a task that ends before the first question.
            _loop = AskAsync(query, taskInstanceId, _timer);
        }
        else
        {
            _loop = Task.CompletedTask;
        }
    }

    public static CancellationWatch Start(CancellationQuery query, string taskInstanceId, TimeProvider time)
        => new(query, taskInstanceId, query.PollInterval, time);

    /// <summary>Cancelled when Scenario said it cancelled the task.</summary>
    public CancellationToken Token => _cancelled.Token;

    public bool IsCancelled => _cancelled.IsCancellationRequested;

    /// <summary>Whether it asks at all (polling on, and Scenario not known to lack the operation).</summary>
    public bool IsActive { get; }

    private async Task AskAsync(CancellationQuery query, string taskInstanceId, PeriodicTimer timer)
    {
        try
        {
            // A disposed timer ends the wait with false, not an exception: most tasks end before the first tick,
            // and a thrown and caught cancellation per task was measurable (docs/benchmarks.md).
            while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                if (await query.IsCancelledAsync(taskInstanceId, _stop.Token).ConfigureAwait(false))
                {
                    await _cancelled.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (query.PollInterval is null)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        if (!_loop.IsCompleted)
        {
            // A question is in flight: stop it too.
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _cancelled.Dispose();
    }
}
