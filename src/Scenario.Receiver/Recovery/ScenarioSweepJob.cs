using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Work;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The recurring job that leaves no accepted task without a terminal status. It looks at the unreported tasks that are
/// due for a look (an index of due times in the task store, across instances: <see cref="ITaskStore.DueForSweepAsync"/>),
/// not at every pending one, and picks those nothing is going to report any more: the work job gone, Failed, Deleted or
/// Succeeded without a report, and no report job that will still run. Each is delivered through
/// <see cref="TerminalStatusDelivery"/>, under the task's report lock, so a sweep never adds a second terminal status:
/// its stored outcome, or an Error that says what happened.
/// </summary>
/// <remarks>
/// A task is due a horizon after its accept and after each look (<see cref="ScenarioReceiverOptions.SweepHorizon"/>),
/// and at once when its work or report job ends Failed or Deleted (<see cref="Recovery.SweepWhenJobEndsFilter"/>); it leaves the
/// index when it is reported. So a healthy running or deferred task costs one look per horizon, and a sweep with
/// nothing due costs one indexed read.
/// </remarks>
internal sealed class ScenarioSweepJob(
    TaskLifecycle lifecycle,
    JobLookup jobLookup,
    TerminalStatusDelivery delivery,
    EndpointOutcomeMapper mapper,
    IOptions<ScenarioReceiverOptions> options,
    TimeProvider time,
    ILogger<ScenarioSweepJob> logger)
{
    /// <summary>How many due tasks one read of the index returns.</summary>
    internal const int BatchSize = 200;

    /// <summary>
    /// How many tasks one sweep looks at, at most: a backlog (a storage outage that failed many jobs at once, tasks of an
    /// earlier version, all due at the first sweep) is worked off over a few sweeps, the longest due first.
    /// </summary>
    internal const int MaxTasksPerSweep = 5000;

    private readonly ITaskStore _records = lifecycle.Records;
    private readonly TimeSpan _horizon = options.Value.EffectiveSweepHorizon;

    /// <summary>The recurring job's id in Hangfire: one for all instances sharing the storage.</summary>
    internal const string RecurringJobId = "scenario:sweep";

    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [JobDisplayName("Scenario sweep: tasks left without a terminal status")]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        IDisposable sweepLock;
        try
        {
            sweepLock = await _records.LockForSweepAsync().ConfigureAwait(false);
        }
        catch (DistributedLockTimeoutException)
        {
            Log.SweepSkipped(logger);
            return;
        }

        using (sweepLock)
        {
            // Before the sweep, so a record past its retention is not swept (as on storages that expire it themselves).
            await lifecycle.RemoveExpiredAsync(cancellationToken).ConfigureAwait(false);
            var looked = 0;
            while (looked < MaxTasksPerSweep)
            {
                var now = time.GetUtcNow();
                var due = await _records.DueForSweepAsync(now, Math.Min(BatchSize, MaxTasksPerSweep - looked), cancellationToken).ConfigureAwait(false);
                if (due.Count == 0)
                {
                    break;
                }

                foreach (var taskInstanceId in due)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    looked++;
                    try
                    {
                        // The next look is set before this one reads anything: a job that fails while the task is looked at
                        // makes it due again after this write, not before it, and is seen in the next sweep.
                        await lifecycle.ScheduleSweepAsync(taskInstanceId, now + _horizon, cancellationToken).ConfigureAwait(false);
                        await SweepAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // One task's storage failure must not keep the others from being swept; its next look retries it.
                    catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                    {
                        Log.SweepOfTaskFailed(logger, ex, taskInstanceId);
                    }
                }
            }

            Log.SweepLooked(logger, looked);
        }
    }

    private async Task SweepAsync(string taskInstanceId, CancellationToken cancellationToken)
    {
        var record = await _records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record is null || record.IsReported)
        {
            // Gone: past Scenario:RecordRetention, there is nothing left to report. Reported: a fast job
            // reported the task before its accept was recorded, which put it back in the set.
            if (record is null)
            {
                Log.TaskRecordGone(logger, taskInstanceId);
            }

            await lifecycle.ForgetAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (record.JobId is not { } jobId)
        {
            return;
        }

        var work = jobLookup.StateData(jobId);
        if (await StuckAsync(taskInstanceId, work, cancellationToken).ConfigureAwait(false) is not { } stuck)
        {
            return;
        }

        // Read again, now that the job is over: what it left behind (its outcome, the report job it handed over
        // to, the one its deletion created) is written by the time its last state is, and a read from before
        // could miss it.
        record = await _records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record is null || record.IsReported)
        {
            return;
        }

        if (record.ReportJobId is { } reportJobId && WillStillReport(jobLookup.StateData(reportJobId)))
        {
            return;
        }

        TaskOutcome? decided = null;
        if (record.Outcome is null && stuck.Outcome is { } error
            && (await lifecycle.DecideAsync(taskInstanceId, error, TaskDecider.Sweeper, cancellationToken).ConfigureAwait(false)).IsDecided)
        {
            // Decided like every other outcome, under the task's decide lock: a callback or a deadline that got
            // there first wins, and any later delivery (a retry of this one, a requeued work job) reports the same.
            decided = error;
        }

        await lifecycle.MarkRecoveringAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        Log.TaskRecovering(logger, taskInstanceId, jobId, work?.Name ?? "gone", stuck.What);

        // As the work job would have: a failed post becomes a report job with the retry schedule. A task accepted by an
        // earlier version has its status URL in its work job's parameter, not in its record.
        var legacyStatusUrl = record.StatusUrl is null ? jobLookup.LegacyStatusUrl(jobId) : null;
        await delivery.DeliverFromWorkAsync(taskInstanceId, legacyStatusUrl, decided).ConfigureAwait(false);
    }

    /// <summary>
    /// Why nothing will report the task any more, judging by its work job alone, with the Error to report when
    /// no outcome was stored (null: the stored outcome, or the cancellation a deleted job reports); or null
    /// while the job is on its way (Enqueued, Scheduled, Processing, Awaiting, or a state this code does not know).
    /// </summary>
    private async ValueTask<(string What, TaskOutcome? Outcome)?> StuckAsync(string taskInstanceId, StateData? work, CancellationToken cancellationToken)
    {
        if (work is null)
        {
            return ("the job is gone from the job storage", Error("The work job ended without an outcome: it is gone from the job storage."));
        }

        if (Is(work, FailedState.StateName))
        {
            var reason = work.Data is { } data && data.TryGetValue("ExceptionMessage", out var message) && !string.IsNullOrEmpty(message) ? message : work.Reason;
            return ($"failed: {reason}", Error($"The work job ended Failed without an outcome: {reason}"));
        }

        if (Is(work, DeletedState.StateName))
        {
            // Reports the cancellation its deletion stands for (TerminalStatusDelivery.DeletedBeforeFinishing), if no outcome was stored.
            return ($"deleted: {work.Reason}", null);
        }

        if (Is(work, SucceededState.StateName))
        {
            // A deferred task waits by design for an explicit completion before its deadline.
            return await _records.IsDeferredAsync(taskInstanceId, cancellationToken).ConfigureAwait(false)
                ? null
                : ("succeeded without reporting", Error("The work job ended without reporting an outcome."));
        }

        return null;
    }

    /// <summary>
    /// Whether a task's report job is still going to report: it is queued, scheduled or running; or it ended
    /// Failed because Scenario refused the status or the attempts ran out, and waits for an operator's requeue
    /// (sweeping it would post a refused status again every interval).
    /// </summary>
    private static bool WillStillReport(StateData? report)
    {
        if (report is null || Is(report, DeletedState.StateName) || Is(report, SucceededState.StateName))
        {
            return false;
        }

        return !Is(report, FailedState.StateName)
            || (report.Data is { } data && data.TryGetValue("ExceptionType", out var type)
                && string.Equals(type, typeof(ScenarioDeliveryException).FullName, StringComparison.Ordinal));
    }

    private static bool Is(StateData state, string name) => string.Equals(state.Name, name, StringComparison.OrdinalIgnoreCase);

    private TaskOutcome Error(string message) => TaskOutcome.Error(StatusCodes.Status500InternalServerError, mapper.Cap(message));
}
