using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.LongRunning;
using Scenario.Receiver.Reporting;
using Scenario.Receiver.Tasks;

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
    ITaskStore records,
    TerminalStatusDelivery delivery,
    PromptRetries promptRetries,
    TaskDeferral deferral,
    ScenarioTaskContext taskContext,
    IEnumerable<IOutcomeSaveHook> outcomeSaveHooks,
    ILogger<ScenarioWorkJob> logger)
{
    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    /// <param name="entryKey">The long-running endpoint, by its key in the catalog.</param>
    /// <param name="taskInstanceId">The Scenario task.</param>
    /// <param name="argumentsJson">The endpoint's bound arguments (<see cref="ArgumentCodec"/>).</param>
    /// <param name="performContext">Supplied by Hangfire: the job parameters (<see cref="TaskJobParameters"/>).</param>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [ScenarioJobStateFilter]
    [ContinueScenarioTrace("scenario.work")]
    [JobDisplayName("Scenario {1} · {0}")]
    public async Task RunAsync(string entryKey, string taskInstanceId, string argumentsJson, PerformContext? performContext, CancellationToken cancellationToken)
    {
        var ambient = TaskJobParameters.Read(performContext);
        using var logScope = logger.BeginScope(new TaskLogScope(taskInstanceId, ambient.WorkflowInstanceId));

        var record = await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record is { IsReported: true })
        {
            // Hangfire ran the job again (a crash, an invisibility timeout) after the task was reported:
            // nothing may follow the terminal status, so the work is not repeated.
            Log.WorkSkippedAlreadyReported(logger, taskInstanceId, record.ReportedStatus);
            return;
        }

        if (record?.OutcomeJson is not null)
        {
            // A previous run finished the work and stored its outcome, then died before reporting it.
            await delivery.DeliverFromWorkAsync(taskInstanceId, ambient).ConfigureAwait(false);
            return;
        }

        if (record is { DeferredUntil: not null } or { CancelledByScenarioAt: not null })
        {
            // A previous run deferred the task or saw Scenario cancel it: its outcome comes from elsewhere, or never.
            return;
        }

        // Owned here, not by the runner: the run's last progress post is waited for only after the outcome is stored.
        var progress = progressReporters.Create(taskInstanceId, ambient.StatusUrl);
        await using (progress.ConfigureAwait(false))
        {
            WorkResult result;
            try
            {
                result = await RunWorkAsync(entryKey, taskInstanceId, argumentsJson, ambient, performContext, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (RetryLaterException retry) when (performContext is not null)
            {
                // The retry notice goes out (or is abandoned) before the next attempt can start.
                await progress.FinishAsync().ConfigureAwait(false);

                // The state filter makes the job Scheduled; this process starts it when due.
                var queue = (await catalog.FindAsync(entryKey, CancellationToken.None).ConfigureAwait(false))?.Settings.Queue;
                promptRetries.EnqueueWhenDue(performContext.BackgroundJob.Id, retry.Delay, queue ?? Hangfire.States.EnqueuedState.DefaultQueue);
                throw;
            }

            if (result.HasNoOutcomeYet)
            {
                await progress.FinishAsync().ConfigureAwait(false);
                await EndWithoutOutcomeAsync(taskInstanceId, result, ambient).ConfigureAwait(false);
                return;
            }

            // Stored before anything waits on Scenario: a Scenario that hangs never decides whether the work's outcome is kept.
            foreach (var hook in outcomeSaveHooks)
            {
                await hook.BeforeOutcomeSavedAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
            }

            await SaveOutcomeAsync(taskInstanceId, JsonSerializer.Serialize(result.Outcome, ScenarioJsonContext.Default.TaskOutcome), cancellationToken).ConfigureAwait(false);
            Log.WorkFinished(logger, taskInstanceId, result.Outcome.Status, result.Outcome.StatusCode);

            // The terminal status only after the run's progress has ended, so no progress can follow it. Progress that
            // Scenario left unanswered says it is not answering now: the report job takes over, and this worker is free.
            var flush = await progress.FinishAsync().ConfigureAwait(false);
            if (flush == ProgressFlush.Flushed)
            {
                await delivery.DeliverFromWorkAsync(taskInstanceId, ambient).ConfigureAwait(false);
            }
            else
            {
                await delivery.HandOverFromWorkAsync(taskInstanceId, ambient, flush).ConfigureAwait(false);
            }

            if (result.AbandonedBecause is not null)
            {
                // Deleted, not Failed: the task is over and reported; a requeue would only run the work again.
                throw new WorkAbandonedException(result.Outcome.Message ?? result.Outcome.Status, result.AbandonedBecause);
            }
        }
    }

    /// <summary>
    /// Deferred: the outcome comes later (an explicit completion or the deadline), so nothing is reported now.
    /// Cancelled by Scenario: nothing is reported at all, and the job ends Deleted with that reason.
    /// </summary>
    private async Task EndWithoutOutcomeAsync(string taskInstanceId, WorkResult result, TaskAmbient ambient)
    {
        // Not the job's token: the work is over, and what it found must be recorded whatever happens to the job now.
        if (result.DeferredFor is { } deadline)
        {
            await deferral.DeferAsync(taskInstanceId, deadline, ambient, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await deferral.RecordCancelledByScenarioAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);
        throw new WorkAbandonedException("Cancelled by Scenario (its cancellation query answered isCancelled: true); nothing was reported.");
    }

    /// <summary>
    /// Saves the outcome, again and again until the storage answers: the work is done, and a job that failed
    /// here would leave the task without an outcome (its report up to the sweeper's Error) or run the work
    /// again on a requeue, because the storage blinked. Only a shutdown (or the job's deletion) ends the wait;
    /// Hangfire then runs the job again, and the work with it, since no outcome was stored.
    /// </summary>
    private Task SaveOutcomeAsync(string taskInstanceId, string outcomeJson, CancellationToken cancellationToken)
        => StorageRetry.UntilWrittenAsync(
            async _ => await records.TryDecideAsync(taskInstanceId, outcomeJson, cancellationToken).ConfigureAwait(false),
            (ex, attempt, delay) => Log.OutcomeSaveRetrying(logger, ex, taskInstanceId, attempt, delay.TotalSeconds),
            cancellationToken);

    private async Task<WorkResult> RunWorkAsync(
        string entryKey, string taskInstanceId, string argumentsJson, TaskAmbient ambient, PerformContext? performContext, ProgressReporter progress, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(entryKey, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            var unknown = TaskOutcome.Error(StatusCodes.Status500InternalServerError, $"No long-running endpoint '{entryKey}' exists in this version of the service.");
            return new WorkResult(unknown, new InvalidOperationException(unknown.Message));
        }

        taskContext.Capture(taskInstanceId, ambient.WorkflowInstanceId, null);
        // Read only where there can be one: on PostgreSQL each job parameter read is a round trip of its own.
        var retryCount = entry.Settings.Retries > 0
            ? performContext?.GetJobParameter<int>(ScenarioJobStateFilterAttribute.RetryCountParameter, allowStale: true) ?? 0
            : 0;
        var input = new WorkInput(argumentsJson, TaskJobParameters.ReadRequest(performContext), ambient.StatusUrl, Attempt: retryCount + 1);
        return await runner.RunAsync(entry, taskContext, input, progress, cancellationToken).ConfigureAwait(false);
    }
}
