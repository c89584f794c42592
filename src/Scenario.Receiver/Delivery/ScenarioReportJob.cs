using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Carries on delivering a task's terminal status when the work job's own attempt failed, or when the work
/// job was deleted before it could report. Transient failures are retried on the configured schedule;
/// refusals leave the job Failed in the dashboard, where an operator can requeue it once the cause (usually
/// the API key) is fixed. Running it twice posts once: <see cref="TerminalStatusDelivery"/> guards the task.
/// It always runs from <see cref="ScenarioReportingOptions.ReportQueue"/> (the <c>Queue</c> attribute overrides the queue of
/// every enqueue, a requeue from the dashboard included), served by the receiver's report server, so a Scenario that hangs
/// holds report workers, never the work's. A report job enqueued on another queue by an earlier version runs there, on the
/// application's server, as it always did; its retries come here.
/// </summary>
internal sealed class ScenarioReportJob(TerminalStatusDelivery delivery, PromptRetries promptRetries, ILogger<ScenarioReportJob> logger)
{
    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    /// <param name="taskInstanceId">The task.</param>
    /// <param name="priorAttempts">Attempts made before this job was created (the work job's own).</param>
    /// <param name="performContext">Supplied by Hangfire: the job parameters (<see cref="TaskJobParameters"/>) and the retry count.</param>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    // Hangfire's own retries for a failure outside the delivery (a filter, a storage blink), as on the work job; a refusal
    // or the last attempt (ScenarioDeliveryException) stays Failed for an operator.
    [AutomaticRetry(Attempts = ScenarioJobStateFilterAttribute.RetriesOutsideTheJob, DelaysInSeconds = [5, 15, 30, 60, 120, 300], ExceptOn = [typeof(ScenarioDeliveryException)])]
    [Queue(ScenarioReportingOptions.ReportQueue)]
    [ScenarioJobStateFilter]
    [ContinueScenarioTrace("scenario.report")]
    [JobDisplayName("Report → Scenario {0}")]
    public async Task DeliverAsync(string taskInstanceId, int priorAttempts, PerformContext? performContext, CancellationToken cancellationToken)
    {
        // The workflow joins the scope once the delivery has read the task's record.
        using var logScope = logger.BeginScope(new TaskLogScope(taskInstanceId, null));
        var retryCount = performContext?.GetJobParameter<int>(ScenarioJobStateFilterAttribute.RetryCountParameter, allowStale: true) ?? 0;
        try
        {
            await delivery.DeliverAsync(taskInstanceId, TaskJobParameters.ReadLegacyStatusUrl(performContext), priorAttempts + retryCount + 1, cancellationToken).ConfigureAwait(false);
        }
        catch (RetryLaterException retry) when (performContext is not null)
        {
            // The state filter makes the job Scheduled; this process starts it when due.
            promptRetries.EnqueueWhenDue(performContext.BackgroundJob.Id, retry.Delay, ScenarioReportingOptions.ReportQueue);
            throw;
        }
    }
}
