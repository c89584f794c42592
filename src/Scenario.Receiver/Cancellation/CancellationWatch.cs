namespace Scenario.Receiver.Cancellation;

/// <summary>
/// Asks Scenario, every poll interval while one run of a task's work goes on, whether it cancelled the task,
/// and cancels <see cref="Token"/> when it did. One question in flight at a time (the next interval starts
/// once the answer is in); disposing it, when the work ends, stops the questions, one in flight included.
/// </summary>
internal sealed class CancellationWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancelled = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private CancellationWatch(CancellationQuery query, string taskInstanceId, TimeSpan? interval, TimeProvider time)
    {
        IsActive = interval is not null;
        _loop = interval is { } every ? Task.Run(() => AskAsync(query, taskInstanceId, every, time), CancellationToken.None) : Task.CompletedTask;
    }

    public static CancellationWatch Start(CancellationQuery query, string taskInstanceId, TimeProvider time)
        => new(query, taskInstanceId, query.PollInterval, time);

    /// <summary>Cancelled when Scenario said it cancelled the task.</summary>
    public CancellationToken Token => _cancelled.Token;

    public bool IsCancelled => _cancelled.IsCancellationRequested;

    /// <summary>Whether it asks at all (polling on, and Scenario not known to lack the operation).</summary>
    public bool IsActive { get; }

    private async Task AskAsync(CancellationQuery query, string taskInstanceId, TimeSpan interval, TimeProvider time)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
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
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _cancelled.Dispose();
    }
}
