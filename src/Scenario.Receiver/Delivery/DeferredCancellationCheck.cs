using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// Asks Scenario whether it cancelled the deferred tasks, in one batched check per storage instead of a job per task per
/// interval. Every instance ticks once a <see cref="ScenarioCancellationOptions.PollInterval"/>; the one that takes the
/// check's distributed lock (<see cref="SweepLock.CancellationChecks"/>, without waiting) runs the round, the others skip
/// it. A round reads the tasks due for a check from the task store's index, the longest due first, at most
/// <see cref="ScenarioCancellationOptions.MaxQueriesPerSecond"/> × the interval of them, and asks about each, its calls at
/// least 1 / that rate apart. A task Scenario cancelled is recorded through the lifecycle (its deadline dropped, nothing
/// posted); any other is due again one interval later; one settled or past its deadline (which asks itself) leaves the index.
/// </summary>
/// <remarks>
/// A hosted loop rather than a Hangfire recurring job: it creates no job at all, keeps intervals under a second (a cron
/// schedule cannot), and needs no worker. Running tasks are not asked here: the instance that runs one watches it
/// (<c>CancellationWatch</c>), at most one question per worker per interval, and cancels its work in process.
/// </remarks>
internal sealed class DeferredCancellationCheck(
    IServiceProvider services,
    CancellationQuery query,
    IOptions<ScenarioReceiverOptions> options,
    TimeProvider time,
    ILogger<DeferredCancellationCheck> logger) : BackgroundService
{
    // Across rounds: a round that ran late must not start its questions right after the last one's.
    private DateTimeOffset _nextCall = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cancellation = options.Value.Cancellation;
        if (cancellation.PollInterval is not { } interval || services.GetService<JobStorage>() is not { } storage)
        {
            return;
        }

        var lifecycle = services.GetRequiredService<TaskLifecycle>();
        var perRound = (int)Math.Clamp(Math.Ceiling(cancellation.MaxQueriesPerSecond * interval.TotalSeconds), 1, int.MaxValue);
        var spacing = TimeSpan.FromSeconds(1 / cancellation.MaxQueriesPerSecond);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await RoundAsync(storage, lifecycle, interval, perRound, spacing, stoppingToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A storage that is down must not end the loop: the next round tries again.
                catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    Log.CancellationCheckRoundFailed(logger, ex, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round, on the instance that holds the check's lock; also called by the tests.</summary>
    internal async Task RoundAsync(JobStorage storage, TaskLifecycle lifecycle, TimeSpan interval, int perRound, TimeSpan spacing, CancellationToken cancellationToken)
    {
        if (query.PollInterval is null)
        {
            // Scenario has no such operation: asking is pointless, and the tasks keep their due times for a restart.
            return;
        }

        IDisposable held;
        try
        {
            held = await SweepLock.TakeAsync(storage, SweepLock.CancellationChecks, TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (DistributedLockTimeoutException)
        {
            return;
        }

        using (held)
        {
            var due = await lifecycle.Records.DueForCancellationCheckAsync(time.GetUtcNow(), perRound, cancellationToken).ConfigureAwait(false);
            var asked = 0;
            foreach (var taskInstanceId in due)
            {
                try
                {
                    var record = await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
                    if (record is not { DeferredUntil: { } until } || record.IsSettled || until <= time.GetUtcNow())
                    {
                        await lifecycle.ScheduleCancellationCheckAsync(taskInstanceId, null, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    // Spread evenly: Scenario's query takes one task a call, and a round may hold thousands.
                    var wait = _nextCall - time.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    }

                    _nextCall = time.GetUtcNow() + spacing;
                    asked++;
                    if (await query.IsCancelledAsync(taskInstanceId, cancellationToken).ConfigureAwait(false))
                    {
                        await lifecycle.RecordCancelledByScenarioAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);
                    }
                    else
                    {
                        await lifecycle.ScheduleCancellationCheckAsync(taskInstanceId, time.GetUtcNow() + interval, cancellationToken).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // One task's storage failure must not keep the others from being asked about; it stays due.
                catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    Log.CancellationCheckOfTaskFailed(logger, ex, taskInstanceId);
                }
            }

            Log.CancellationCheckRound(logger, asked, due.Count);
        }
    }
}
