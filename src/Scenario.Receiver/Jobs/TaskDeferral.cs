using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Cancellation;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Reporting;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// A task whose outcome comes later: deferring it (its deadline a scheduled Hangfire job, so it survives a
/// restart and fires on any instance sharing the storage), its deadline passing, and Scenario cancelling it.
/// Each decides under the task's decide lock, so an explicit completion, the work, the deadline and a
/// cancellation never both win. Nothing it schedules outlives the task: whatever decides the task deletes the
/// deadline and the next cancellation check while they are still scheduled (<see cref="DropScheduledJobs"/>).
/// </summary>
internal sealed class TaskDeferral(
    ITaskStore records,
    IBackgroundJobClient jobs,
    CancellationQuery cancellationQuery,
    TimeProvider time,
    ILogger<TaskDeferral> logger)
{
    /// <summary>Records the deferral and schedules its deadline, unless the task got an outcome meanwhile (a quick callback).</summary>
    public async Task DeferAsync(string taskInstanceId, TimeSpan deadline, TaskAmbient ambient, CancellationToken cancellationToken)
    {
        var locked = await records.LockForDecideAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using var release = locked.ConfigureAwait(false);
        if (TaskDecision.Refusal(locked.Read()) is { } refusal)
        {
            Log.DeferralNotNeeded(logger, taskInstanceId, refusal.PriorOutcome);
            return;
        }

        var until = time.GetUtcNow() + deadline;
        var deadlineText = deadline.ToString("c", CultureInfo.InvariantCulture);
        var deadlineJobId = JobCreation.Create(
            jobs,
            Job.FromExpression<ScenarioDeferralJob>(job => job.ExpireAsync(taskInstanceId, deadlineText, null)),
            new ScheduledState(until.UtcDateTime) { Reason = $"The deadline of the deferred task: Error 504 unless it is completed by {until:O}." },
            TaskJobParameters.For(taskInstanceId, ambient));
        await locked.WriteDeferredAsync(until, deadlineJobId).ConfigureAwait(false);
        Log.TaskDeferred(logger, taskInstanceId, until);

        await ScheduleCancellationCheckAsync(locked, taskInstanceId, ambient).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks Scenario again, one interval from now, whether it cancelled the deferred task, unless something decided
    /// the task meanwhile. Under the decide lock, and recorded: a decision either comes first (and nothing is
    /// scheduled) or finds the new check in the record and deletes it.
    /// </summary>
    public async Task ScheduleCancellationCheckAsync(string taskInstanceId, TaskAmbient ambient, CancellationToken cancellationToken)
    {
        if (cancellationQuery.PollInterval is null)
        {
            return;
        }

        var locked = await records.LockForDecideAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using var release = locked.ConfigureAwait(false);
        if (locked.Read() is { DeferredUntil: { } until } record && !record.IsSettled && until > time.GetUtcNow())
        {
            await ScheduleCancellationCheckAsync(locked, taskInstanceId, ambient).ConfigureAwait(false);
        }
    }

    private async Task ScheduleCancellationCheckAsync(IDecideLock locked, string taskInstanceId, TaskAmbient ambient)
    {
        if (cancellationQuery.PollInterval is not { } interval)
        {
            return;
        }

        var checkJobId = JobCreation.Create(
            jobs,
            Job.FromExpression<ScenarioDeferralJob>(job => job.CheckCancellationAsync(taskInstanceId, null, CancellationToken.None)),
            new ScheduledState(interval) { Reason = "Asks Scenario whether it cancelled the deferred task." },
            TaskJobParameters.For(taskInstanceId, ambient));
        await locked.WriteCancellationCheckAsync(checkJobId).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes a decided task's deadline and next cancellation check while they are still scheduled, so that none
    /// waits in storage for a task that is over (a job already due runs, finds the task settled and does nothing).
    /// Only from Scheduled: a job that ran keeps its state, and the job calling this is never deleted under itself.
    /// </summary>
    /// <param name="record">The task's record, read after the decision.</param>
    public void DropScheduledJobs(TaskRecord? record)
    {
        foreach (var jobId in new[] { record?.DeadlineJobId, record?.CancellationCheckJobId })
        {
            if (jobId is not null)
            {
                jobs.Delete(jobId, ScheduledState.StateName);
            }
        }
    }

    /// <summary>
    /// Records that Scenario cancelled the task, unless it already had an outcome (whose delivery then goes on),
    /// and drops a deferred task's deadline. Says whether the cancellation was recorded.
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
                return refusal.PriorOutcome == TaskDecision.CancelledByScenario;
            }

            await locked.WriteCancelledByScenarioAsync(time.GetUtcNow()).ConfigureAwait(false);
        }

        // The deadline job would find the task cancelled and do nothing; deleting it keeps the dashboard honest.
        DropScheduledJobs(record);
        return true;
    }

    /// <summary>The Error 504 a deferred task receives at its deadline, decided unless something else came first.</summary>
    public async Task<bool> DecideDeadlinePassedAsync(string taskInstanceId, string deadline, CancellationToken cancellationToken)
    {
        var record = await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record?.DeferredUntil is null || record.IsSettled)
        {
            return false;
        }

        var duration = TimeSpan.TryParseExact(deadline, "c", CultureInfo.InvariantCulture, out var parsed) ? parsed : (TimeSpan?)null;
        var outcome = TaskOutcome.Error(
            StatusCodes.Status504GatewayTimeout,
            duration is { } within
                ? $"The task was not completed within {Describe(within)} of its deferral (deadline {record.DeferredUntil:O})."
                : $"The task was not completed by its deadline {record.DeferredUntil:O}.");
        var decision = await records.TryDecideAsync(taskInstanceId, JsonSerializer.Serialize(outcome, ScenarioJsonContext.Default.TaskOutcome), cancellationToken).ConfigureAwait(false);
        if (decision.IsDecided)
        {
            Log.DeadlinePassed(logger, taskInstanceId);

            // This deadline job is Processing, so only the pending cancellation check goes.
            DropScheduledJobs(await records.FindAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false));
        }

        return decision.IsDecided;
    }

    private static string Describe(TimeSpan duration)
        => duration.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s")
            : duration.ToString("c", CultureInfo.InvariantCulture);
}
