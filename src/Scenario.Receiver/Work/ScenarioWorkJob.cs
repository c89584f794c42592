using Hangfire;
using Hangfire.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Work;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The Hangfire job of a task: finds where the task stands (a rerun after the report, an outcome stored but
/// not delivered), restores the task context in the job's own DI scope (Hangfire's activator creates one per
/// job), has <see cref="WorkRunner"/> run the work, stores the outcome and delivers it at once; a delivery
/// that fails is handed to a report job. Hangfire runs a job at least once, so this may run again: the work
/// must be idempotent.
/// </summary>
internal sealed class ScenarioWorkJob(
    LongRunningEntryCatalog catalog,
    WorkRunner runner,
    ProgressReporterFactory progressReporters,
    TaskLifecycle lifecycle,
    TerminalStatusDelivery delivery,
    PromptRetries promptRetries,
    ScenarioTaskContext taskContext,
    ILogger<ScenarioWorkJob> logger)
{
    /// <summary>
    /// How soon a work job whose task store did not answer before the work started runs again: soon, since nothing ran,
    /// and no attempt of the work is counted for it.
    /// </summary>
    internal static readonly TimeSpan StorageUnavailableRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How long a work job that finds no record of its task waits for its accept to record it (see FindBeforeTheWorkAsync).</summary>
    internal static readonly TimeSpan AcceptRecordWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan AcceptRecordPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    /// <param name="entryKey">The long-running endpoint, by its key in the catalog.</param>
    /// <param name="taskInstanceId">The Scenario task.</param>
    /// <param name="argumentsJson">The endpoint's bound arguments (<see cref="ArgumentCodec"/>).</param>
    /// <param name="performContext">Supplied by Hangfire: the job parameters (<see cref="TaskJobParameters"/>).</param>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    /// <returns>
    /// Where the job ends without the work's own outcome going to Scenario as usual (a deferral, another path's decision, an
    /// Error): what the task waits for or what Scenario receives, which <see cref="ScenarioJobStateFilterAttribute"/> makes
    /// the Succeeded state's reason, so the dashboard's Succeeded list is not misread. Null otherwise: no result is stored.
    /// </returns>
    // Hangfire's own retries, for a failure outside the work and the library's code (a filter such as Hangfire's culture
    // capture whose job-parameter read timed out, a storage blink): nothing of the work ran, so it is no outcome of the task.
    // The state filter runs first (a lower Order) and has turned the library's own exceptions into their states already.
    [AutomaticRetry(Attempts = ScenarioJobStateFilterAttribute.RetriesOutsideTheJob, DelaysInSeconds = [5, 15, 30, 60, 120, 300])]
    [ScenarioJobStateFilter]
    [ContinueScenarioTrace("scenario.work")]
    [JobDisplayName("Scenario {1} · {0}")]
    public async Task<string?> RunAsync(string entryKey, string taskInstanceId, string argumentsJson, PerformContext? performContext, CancellationToken cancellationToken)
    {
        // The record's first read: the one read of the work path before the delivery's, under the report lock.
        TaskRecord? record;
        try
        {
            record = await FindBeforeTheWorkAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (RetryLaterException retry) when (performContext is not null)
        {
            await RetryPromptlyAsync(entryKey, performContext, retry).ConfigureAwait(false);
            throw;
        }

        using var logScope = logger.BeginScope(new TaskLogScope(taskInstanceId, record?.WorkflowInstanceId));
        var legacyStatusUrl = TaskJobParameters.ReadLegacyStatusUrl(performContext);
        if (record is { IsReported: true })
        {
            // Hangfire ran the job again (a crash, an invisibility timeout) after the task was reported:
            // nothing may follow the terminal status, so the work is not repeated.
            Log.WorkSkippedAlreadyReported(logger, taskInstanceId, record.ReportedStatus);
            return $"Not run again: Scenario received {record.ReportedStatus} for the task already.";
        }

        if (record?.Outcome is not null)
        {
            // A previous run (or a callback) decided the outcome, and it is not reported yet.
            await delivery.DeliverFromWorkAsync(taskInstanceId, legacyStatusUrl).ConfigureAwait(false);
            return StateReasons.Decided(record.Outcome, record.DecidedBy, byThisRun: false);
        }

        if (record is { DeferredUntil: not null } or { CancelledByScenarioAt: not null })
        {
            // A previous run deferred the task or saw Scenario cancel it: its outcome comes from elsewhere, or never.
            return record.DeferredUntil is { } until
                ? StateReasons.Deferred(until)
                : "Not run again: Scenario cancelled the task; nothing is reported.";
        }

        // Owned here, not by the runner: the run's last progress post is waited for only after the outcome is stored.
        var statusUrl = record?.StatusUrl ?? legacyStatusUrl;
        var progress = progressReporters.Create(taskInstanceId, statusUrl);
        await using (progress.ConfigureAwait(false))
        {
            WorkResult result;
            try
            {
                result = await RunWorkAsync(entryKey, taskInstanceId, argumentsJson, record?.WorkflowInstanceId, statusUrl, performContext, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (RetryLaterException retry) when (performContext is not null)
            {
                // The retry notice goes out (or is abandoned) before the next attempt can start.
                await progress.FinishAsync().ConfigureAwait(false);

                await RetryPromptlyAsync(entryKey, performContext, retry).ConfigureAwait(false);
                throw;
            }

            if (result.HasNoOutcomeYet)
            {
                await progress.FinishAsync().ConfigureAwait(false);
                return await EndWithoutOutcomeAsync(taskInstanceId, result).ConfigureAwait(false);
            }

            // Stored before anything waits on Scenario: a Scenario that hangs never decides whether the work's outcome is kept.
            var outcome = result.Outcome!;
            var decision = await SaveOutcomeAsync(taskInstanceId, outcome, cancellationToken).ConfigureAwait(false);
            if (decision.IsDecided)
            {
                Log.WorkFinished(logger, taskInstanceId, outcome.Status, outcome.StatusCode);
            }
            else
            {
                // A callback, a deadline or the sweeper got there first: theirs is what Scenario receives.
                Log.OutcomeAlreadyDecided(logger, taskInstanceId, outcome.Status, decision.Prior?.ToString());
            }

            // The terminal status only after the run's progress has ended, so no progress can follow it. Progress that
            // Scenario left unanswered says it is not answering now: the report job takes over, and this worker is free.
            var flush = await progress.FinishAsync().ConfigureAwait(false);
            if (flush == ProgressFlush.Flushed)
            {
                // This run's outcome in hand when its decision won; read under the report lock only when another path won.
                await delivery.DeliverFromWorkAsync(taskInstanceId, legacyStatusUrl, decision.IsDecided ? outcome : null).ConfigureAwait(false);
            }
            else
            {
                await delivery.HandOverFromWorkAsync(taskInstanceId, record?.WorkflowInstanceId, flush).ConfigureAwait(false);
            }

            if (result.AbandonedBecause is not null)
            {
                // Deleted, not Failed: the task is over and reported; a requeue would only run the work again.
                throw new WorkAbandonedException(
                    decision.IsDecided
                        ? $"The work is over: Scenario receives {outcome.Status} {outcome.StatusCode}: {outcome.Message ?? outcome.Status} (a requeue would run the work again)."
                        : $"The work is over; another path decided the task first ({decision.Prior}), and that is what Scenario receives.",
                    result.AbandonedBecause);
            }

            return decision.IsDecided
                ? (outcome.Status == TaskStatusNames.Error ? StateReasons.Decided(outcome, TaskDecider.Work, byThisRun: true) : null)
                : $"The work ended {outcome.Status} {outcome.StatusCode}, but the task was decided first ({decision.Prior}): that is what Scenario receives.";
        }
    }

    /// <summary>
    /// Deferred: the outcome comes later (an explicit completion or the deadline), so nothing is reported now.
    /// Cancelled by Scenario: nothing is reported at all, and the job ends Deleted with that reason.
    /// </summary>
    private async Task<string> EndWithoutOutcomeAsync(string taskInstanceId, WorkResult result)
    {
        // Not the job's token: the work is over, and what it found must be recorded whatever happens to the job now.
        if (result.DeferredFor is { } deadline)
        {
            await lifecycle.DeferAsync(taskInstanceId, deadline, CancellationToken.None).ConfigureAwait(false);
            return StateReasons.DeferredFor(deadline);
        }

        await lifecycle.RecordCancelledByScenarioAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);
        throw new WorkAbandonedException("Cancelled by Scenario (its cancellation query answered isCancelled: true); nothing was reported.");
    }

    /// <summary>
    /// Saves the outcome, again and again until the storage answers: the work is done, and a job that failed
    /// here would leave the task without an outcome (its report up to the sweeper's Error) or run the work
    /// again on a requeue, because the storage blinked. Only a shutdown (or the job's deletion) ends the wait;
    /// Hangfire then runs the job again, and the work with it, since no outcome was stored.
    /// </summary>
    /// <remarks>Says whether this run's decision won: the work keeps its outcome in memory then, and reads nothing back.</remarks>
    private async Task<TaskDecision> SaveOutcomeAsync(string taskInstanceId, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        TaskDecision decision = default;
        await StorageRetry.UntilWrittenAsync(
            async _ => decision = await lifecycle.DecideAsync(taskInstanceId, outcome, TaskDecider.Work, cancellationToken).ConfigureAwait(false),
            (ex, attempt, delay) => Log.OutcomeSaveRetrying(logger, ex, taskInstanceId, attempt, delay.TotalSeconds),
            cancellationToken).ConfigureAwait(false);
        return decision;
    }

    /// <summary>The state filter makes the job Scheduled; this process starts it when due.</summary>
    private async Task RetryPromptlyAsync(string entryKey, PerformContext performContext, RetryLaterException retry)
    {
        var queue = (await catalog.FindAsync(entryKey, CancellationToken.None).ConfigureAwait(false))?.Settings.Queue;
        promptRetries.EnqueueWhenDue(performContext.BackgroundJob.Id, retry.Delay, queue ?? Hangfire.States.EnqueuedState.DefaultQueue);
    }

    /// <summary>
    /// The record before the work starts. A storage that cannot answer now is no failure of the work, which has not
    /// run: the job is retried shortly (Scheduled, not Failed), and nothing is reported.
    /// </summary>
    private async Task<TaskRecord?> FindBeforeTheWorkAsync(string taskInstanceId, CancellationToken cancellationToken)
    {
        try
        {
            var record = await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);

            // The accept that made this job records the job in the task's record just after creating it: a worker that
            // fetched the job at once can be here first, and must not run the work without the task's facts (its workflow
            // id, its status URL). A record still missing after the wait is a job of an earlier version, or one whose
            // record has expired: it runs on its job parameter's values, as before.
            for (var waited = TimeSpan.Zero; record is null && waited < AcceptRecordWait; waited += AcceptRecordPoll)
            {
                await Task.Delay(AcceptRecordPoll, cancellationToken).ConfigureAwait(false);
                record = await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
            }

            return record;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var delay = StorageUnavailableRetryDelay;
            Log.WorkStartDeferredStorageUnavailable(logger, ex, taskInstanceId, delay.TotalSeconds);
            throw new RetryLaterException(delay, $"the task store did not answer before the work started: {ex.GetType().Name}: {ex.Message}", ex) { CountsAsAttempt = false };
        }
    }

    private async Task<WorkResult> RunWorkAsync(
        string entryKey, string taskInstanceId, string argumentsJson, string? workflowInstanceId, string? statusUrl, PerformContext? performContext, ProgressReporter progress, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(entryKey, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            var unknown = TaskOutcome.Error(StatusCodes.Status500InternalServerError, $"No long-running endpoint '{entryKey}' exists in this version of the service.");
            return new WorkResult(unknown, new InvalidOperationException(unknown.Message));
        }

        taskContext.Capture(taskInstanceId, workflowInstanceId, null);
        // Read only where there can be one: on PostgreSQL each job parameter read is a round trip of its own.
        var retryCount = entry.Settings.Retries > 0
            ? performContext?.GetJobParameter<int>(ScenarioJobStateFilterAttribute.RetryCountParameter, allowStale: true) ?? 0
            : 0;
        var input = new WorkInput(argumentsJson, TaskJobParameters.ReadRequest(performContext), statusUrl, Attempt: retryCount + 1);
        return await runner.RunAsync(entry, taskContext, input, progress, cancellationToken).ConfigureAwait(false);
    }
}
