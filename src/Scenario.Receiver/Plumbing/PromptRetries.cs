using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Starts a scheduled retry when it is due, not when Hangfire's scheduler next polls: that is every
/// <c>BackgroundJobServerOptions.SchedulePollingInterval</c>, 15 s by default, which made a 1 s retry start
/// up to 16 s late and left Scenario waiting past its own 30 s RestCall timeout. The retry stays a durable
/// Scheduled job (it holds no worker, survives a restart, shows in the dashboard); this process moves it to
/// its queue at the due time, and only from Scheduled, so when the process is gone or another instance's
/// scheduler was first, Hangfire's own scheduler does it and nothing runs twice.
/// </summary>
internal sealed class PromptRetries(IBackgroundJobClient jobs, JobStorage storage, TimeProvider time, ILogger<PromptRetries> logger) : IDisposable
{
    /// <summary>How long to wait for a failing run to finish moving its job to Scheduled (its state changes after it returns).</summary>
    private static readonly TimeSpan StateSettleTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StateSettlePoll = TimeSpan.FromMilliseconds(50);

    private readonly CancellationTokenSource _stopping = new();

    /// <param name="jobId">The job that will be (or is) Scheduled.</param>
    /// <param name="delay">Its delay.</param>
    /// <param name="queue">The queue it runs from: the one it was created for.</param>
    public void EnqueueWhenDue(string jobId, TimeSpan delay, string queue)
        => _ = EnqueueWhenDueAsync(jobId, delay, queue, _stopping.Token);

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task EnqueueWhenDueAsync(string jobId, TimeSpan delay, string queue, CancellationToken stopping)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, stopping).ConfigureAwait(false);
            }

            var settleUntil = time.GetUtcNow() + StateSettleTimeout;
            while (!stopping.IsCancellationRequested)
            {
                if (jobs.ChangeState(jobId, new EnqueuedState(queue) { Reason = "The retry is due" }, ScheduledState.StateName))
                {
                    return;
                }

                // Not Scheduled: still Processing (the failed run is ending) is worth a moment's wait; any other
                // state (Enqueued by a scheduler, Deleted, Succeeded) means there is nothing left to do.
                if (CurrentState(jobId) != ProcessingState.StateName || time.GetUtcNow() > settleUntil)
                {
                    return;
                }

                await Task.Delay(StateSettlePoll, time, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The host stops: Hangfire's scheduler enqueues the retry when it is due.
        }
#pragma warning disable CA1031 // Promptness only: on any failure Hangfire's scheduler still enqueues the retry.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.PromptRetryNotEnqueued(logger, jobId, ex.Message);
        }
    }

    private string? CurrentState(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
