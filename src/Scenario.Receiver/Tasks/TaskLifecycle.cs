using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// The only writer of a task's state. Every path that changes a task goes through here: the accept (the status URL
/// allowed once, kept in the record), a decision (by the work, a callback, a deadline, the sweeper: the first one
/// wins, and who made it is recorded), a deferral and the due times of its cancellation checks, the sweeper's due times, Scenario's cancellation, the hand-off
/// of a delivery to a report job, and the marks the health check counts. The report lock's own marks (a post begun,
/// answered, the task reported) are written through the lock object the delivery takes here, so that they stay
/// with the lock that guards them. Reads may go to the store directly.
/// </summary>
internal sealed class TaskLifecycle(
    ITaskStore records, ITaskJobs jobs, StatusUrlPolicy statusUrlPolicy, IOptions<ScenarioReceiverOptions> options, TimeProvider time, ILogger<TaskLifecycle> logger)
{
    /// <summary>The store, for reads.</summary>
    public ITaskStore Records => records;

    /// <summary>
    /// Accepts a task once (<see cref="ITaskStore.AcceptAsync"/>). <paramref name="suggestedStatusUrl"/> is checked against
    /// <see cref="ScenarioReceiverOptions.AllowedStatusUrlOrigins"/> here, once, and kept in the record when allowed: every
    /// post of the task goes there.
    /// </summary>
    public ValueTask<TaskAcceptance> AcceptAsync(
        string taskInstanceId, string entryKey, string? workflowInstanceId, Uri? suggestedStatusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken)
        => records.AcceptAsync(taskInstanceId, entryKey, workflowInstanceId, statusUrlPolicy.AllowedOrNull(suggestedStatusUrl)?.AbsoluteUri, queue, createWorkJob, cancellationToken);

    /// <summary>
    /// Decides the task's outcome unless something settled it first. A decision that wins deletes what a deferral
    /// scheduled and is now pointless (its deadline, its next cancellation check) while still scheduled.
    /// </summary>
    public async ValueTask<TaskDecision> DecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken)
    {
        var decision = await records.TryDecideAsync(taskInstanceId, outcome, decidedBy, cancellationToken).ConfigureAwait(false);
        if (decision.IsDecided)
        {
            DropScheduled(decision.DeadlineJobId, decision.CancellationCheckJobId);
        }

        return decision;
    }

    /// <summary>
    /// Records the deferral and schedules its deadline, unless the task got an outcome meanwhile (a quick callback); with
    /// the cancellation polling on, the task is due for the batched cancellation check one poll interval from now.
    /// </summary>
    public async Task DeferAsync(string taskInstanceId, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var locked = await records.LockForDecideAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using var release = locked.ConfigureAwait(false);
        if (TaskDecision.Refusal(locked.Read()) is { } refusal)
        {
            Log.DeferralNotNeeded(logger, taskInstanceId, refusal.Prior?.ToString());
            return;
        }

        var until = time.GetUtcNow() + deadline;
        var workflowInstanceId = locked.Read()?.WorkflowInstanceId;
        var firstCheck = options.Value.Cancellation.PollInterval is { } poll ? time.GetUtcNow() + poll : (DateTimeOffset?)null;
        await locked.WriteDeferredAsync(until, jobs.CreateDeadlineJob(taskInstanceId, workflowInstanceId, deadline, until), firstCheck).ConfigureAwait(false);
        Log.TaskDeferred(logger, taskInstanceId, until);
    }

    /// <summary>
    /// When the batched check asks Scenario next whether it cancelled the deferred task; null: never again. Not under the
    /// decide lock: a decision meanwhile clears the time, or the check finds the task settled and clears it then.
    /// </summary>
    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken)
        => records.ScheduleCancellationCheckAsync(taskInstanceId, at, cancellationToken);

    /// <summary>When the sweeper looks at the unreported task next (<see cref="ScenarioReceiverOptions.SweepHorizon"/>).</summary>
    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken)
        => records.ScheduleSweepAsync(taskInstanceId, at, cancellationToken);

    /// <summary>
    /// A job of the task (its work, its report) ended Failed or Deleted: unless the task is reported (or its record gone),
    /// the sweeper looks at it in its next round, not a horizon later. Synchronous, for Hangfire's state change, and
    /// written in its transaction where the records are in Hangfire's storage.
    /// </summary>
    public void MarkDueForSweep(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
    {
        if (records.FindDuringStateChange(context, taskInstanceId) is { IsReported: false })
        {
            records.MarkDueForSweepDuringStateChange(context, transaction, taskInstanceId);
        }
    }

    /// <summary>
    /// Records that Scenario cancelled the task, unless it already had an outcome (whose delivery then goes on),
    /// and drops a deferred task's deadline. Says whether the task is cancelled by Scenario now.
    /// </summary>
    public async Task<bool> RecordCancelledByScenarioAsync(string taskInstanceId, CancellationToken cancellationToken)
    {
        TaskRecord? record;
        var locked = await records.LockForDecideAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using (locked.ConfigureAwait(false))
        {
            record = locked.Read();
            if (TaskDecision.Refusal(record) is { } refusal)
            {
                return refusal.Prior == TaskSettlement.CancelledByScenario;
            }

            await locked.WriteCancelledByScenarioAsync(time.GetUtcNow()).ConfigureAwait(false);
        }

        // The deadline job would find the task cancelled and do nothing; deleting it keeps the dashboard honest.
        DropScheduled(record?.DeadlineJobId, record?.CancellationCheckJobId);
        return true;
    }

    /// <summary>
    /// Hands the task's delivery to a report job (created in <paramref name="state"/>, on the report queue) and records
    /// it, for the sweeper, the dashboard and the tests. Says the job's id.
    /// </summary>
    public async ValueTask<string> HandOffDeliveryAsync(string taskInstanceId, string? workflowInstanceId, int priorAttempts, IState state)
    {
        var reportJobId = jobs.CreateReportJob(taskInstanceId, workflowInstanceId, priorAttempts, state);
        await records.WriteReportJobAsync(taskInstanceId, reportJobId, CancellationToken.None).ConfigureAwait(false);
        return reportJobId;
    }

    /// <summary>
    /// A work job deleted before it reported: unless the task is settled or deferred (it waits for its completion or
    /// deadline), a report job tells Scenario the work was cancelled. Synchronous, for Hangfire's state change, and
    /// recorded in its transaction where the records are in Hangfire's storage. Says the report job's id, if one was made.
    /// </summary>
    public string? HandOffDeletedWork(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
    {
        var record = records.FindDuringStateChange(context, taskInstanceId);
        if (record is null || record.IsSettled || record.DeferredUntil is not null)
        {
            return null;
        }

        var reportJobId = jobs.CreateReportJob(
            taskInstanceId,
            record.WorkflowInstanceId,
            priorAttempts: 0,
            new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = "The work job was deleted before it reported: Scenario hears it was cancelled." },
            context.Storage);
        records.WriteReportJobDuringStateChange(context, transaction, taskInstanceId, reportJobId);
        return reportJobId;
    }

    /// <summary>
    /// Delivers a decided, undelivered task's status now, for an operator: its report job is enqueued at once (from
    /// Scheduled or Failed), or, where the record names none, a new one is made. Says the report job's id, or null when
    /// the task has no outcome to deliver or is reported already.
    /// </summary>
    public async ValueTask<string?> RetryDeliveryNowAsync(string taskInstanceId, string reason, CancellationToken cancellationToken)
    {
        var record = await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record is not { Outcome: not null, IsReported: false })
        {
            return null;
        }

        if (record.ReportJobId is { } reportJobId && jobs.EnqueueNow(reportJobId, reason))
        {
            return reportJobId;
        }

        return await HandOffDeliveryAsync(taskInstanceId, record.WorkflowInstanceId, record.Delivery?.Attempts ?? 0, new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = reason }).ConfigureAwait(false);
    }

    /// <summary>The report lock, under which a terminal status is posted; its marks are written through the lock.</summary>
    public ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken)
        => records.LockForReportAsync(taskInstanceId, cancellationToken);

    /// <inheritdoc cref="ITaskStore.TryBeginProgressAsync"/>
    public ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken)
        => records.TryBeginProgressAsync(taskInstanceId, until, afterOwnWork, cancellationToken);

    /// <inheritdoc cref="ITaskStore.EndProgressAsync"/>
    public ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken)
        => records.EndProgressAsync(taskInstanceId, until, cancellationToken);

    /// <inheritdoc cref="ITaskStore.MarkUndeliveredAsync"/>
    public ValueTask MarkUndeliveredAsync(string taskInstanceId) => records.MarkUndeliveredAsync(taskInstanceId, CancellationToken.None);

    /// <inheritdoc cref="ITaskStore.MarkRecoveringAsync"/>
    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken) => records.MarkRecoveringAsync(taskInstanceId, cancellationToken);

    /// <inheritdoc cref="ITaskStore.ForgetAsync"/>
    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken) => records.ForgetAsync(taskInstanceId, cancellationToken);

    /// <inheritdoc cref="ITaskStore.RemoveExpiredAsync"/>
    public ValueTask RemoveExpiredAsync(CancellationToken cancellationToken) => records.RemoveExpiredAsync(cancellationToken);

    /// <summary>
    /// Only from Scheduled: a job already due runs, finds the task settled and does nothing; the caller's own job is never
    /// deleted under it. A cancellation check job is one an earlier version scheduled per task (the checks are batched now).
    /// </summary>
    private void DropScheduled(string? deadlineJobId, string? cancellationCheckJobId)
    {
        foreach (var jobId in new[] { deadlineJobId, cancellationCheckJobId })
        {
            if (jobId is not null)
            {
                jobs.DeleteScheduled(jobId);
            }
        }
    }
}
