using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Cancellation;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The Hangfire jobs of a deferred task: its deadline, and the questions to Scenario whether it cancelled the
/// task meanwhile (one scheduled job at a time, each scheduling the next, so one question is in flight per task).
/// Both run on any instance sharing the storage, after any restart.
/// </summary>
internal sealed class ScenarioDeferralJob(
    TaskDeferral deferral,
    ITaskStore records,
    CancellationQuery cancellationQuery,
    TerminalStatusDelivery delivery,
    TimeProvider time,
    ILogger<ScenarioDeferralJob> logger)
{
    /// <summary>
    /// At the deadline: Error 504, unless the task was completed, failed or cancelled first. Scenario is asked once
    /// more before the Error is decided: the last scheduled check may be an interval old, and a task Scenario
    /// cancelled in between must get nothing. Public because Hangfire invokes only public methods.
    /// </summary>
    /// <param name="taskInstanceId">The deferred task.</param>
    /// <param name="deadline">How long it was deferred for (<c>c</c> format), for the message.</param>
    /// <param name="performContext">Supplied by Hangfire: the job parameters (<see cref="TaskJobParameters"/>).</param>
    // Hangfire's own retries: a storage hiccup (the decide lock not taken) must not lose the deadline.
    [AutomaticRetry(Attempts = 10, LogEvents = false)]
    [ContinueScenarioTrace("scenario.deadline")]
    [JobDisplayName("Deadline of deferred Scenario task {0}")]
    public async Task ExpireAsync(string taskInstanceId, string deadline, PerformContext? performContext)
    {
        var ambient = TaskJobParameters.Read(performContext);
        using var logScope = logger.BeginScope(new TaskLogScope(taskInstanceId, ambient.WorkflowInstanceId));
        if (await records.FindAsync(taskInstanceId).ConfigureAwait(false) is { DeferredUntil: not null, IsSettled: false }
            && await cancellationQuery.IsCancelledAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false))
        {
            await deferral.RecordCancelledByScenarioAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await deferral.DecideDeadlinePassedAsync(taskInstanceId, deadline, CancellationToken.None).ConfigureAwait(false);

        // Also when another run of this job decided it and died before delivering: delivery is guarded.
        if (await records.FindAsync(taskInstanceId).ConfigureAwait(false) is { OutcomeJson: not null, IsReported: false })
        {
            await delivery.DeliverFromWorkAsync(taskInstanceId, ambient).ConfigureAwait(false);
        }
    }

    /// <summary>Asks Scenario whether it cancelled the deferred task, and asks again later while it waits. Public because Hangfire invokes only public methods.</summary>
    /// <param name="taskInstanceId">The deferred task.</param>
    /// <param name="performContext">Supplied by Hangfire: the job parameters.</param>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    [AutomaticRetry(Attempts = 3, LogEvents = false)]
    [ExpireSoonWhenFinished]
    [JobDisplayName("Was deferred Scenario task {0} cancelled?")]
    public async Task CheckCancellationAsync(string taskInstanceId, PerformContext? performContext, CancellationToken cancellationToken)
    {
        var ambient = TaskJobParameters.Read(performContext);
        using var logScope = logger.BeginScope(new TaskLogScope(taskInstanceId, ambient.WorkflowInstanceId));
        if (!StillWaiting(await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false)))
        {
            return;
        }

        if (await cancellationQuery.IsCancelledAsync(taskInstanceId, cancellationToken).ConfigureAwait(false))
        {
            await deferral.RecordCancelledByScenarioAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (StillWaiting(await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false)))
        {
            await deferral.ScheduleCancellationCheckAsync(taskInstanceId, ambient, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool StillWaiting(TaskRecord? record)
        => record is { DeferredUntil: { } until } && !record.IsSettled && until > time.GetUtcNow();
}
