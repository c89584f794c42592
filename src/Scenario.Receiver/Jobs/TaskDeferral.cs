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
/// cancellation never both win.
/// </summary>
internal sealed class TaskDeferral(
    ITaskStore records,
    IBackgroundJobClient jobs,
    CancellationQuery cancellationQuery,
    TimeProvider time,
    ILogger<TaskDeferral> logger)
{
    /// <summary>Records the deferral and schedules its deadline, unless the task got an outcome meanwhile (a quick callback).</summary>
    public void Defer(string taskInstanceId, TimeSpan deadline, TaskAmbient ambient)
    {
        using var locked = records.LockForDecide(taskInstanceId);
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
        locked.WriteDeferred(until, deadlineJobId);
        Log.TaskDeferred(logger, taskInstanceId, until);

        ScheduleCancellationCheck(taskInstanceId, ambient);
    }

    /// <summary>Asks Scenario again, one interval from now, whether it cancelled the deferred task.</summary>
    public void ScheduleCancellationCheck(string taskInstanceId, TaskAmbient ambient)
    {
        if (cancellationQuery.PollInterval is not { } interval)
        {
            return;
        }

        JobCreation.Create(
            jobs,
            Job.FromExpression<ScenarioDeferralJob>(job => job.CheckCancellationAsync(taskInstanceId, null, CancellationToken.None)),
            new ScheduledState(interval) { Reason = "Asks Scenario whether it cancelled the deferred task." },
            TaskJobParameters.For(taskInstanceId, ambient));
    }

    /// <summary>
    /// Records that Scenario cancelled the task, unless it already had an outcome (whose delivery then goes on),
    /// and drops a deferred task's deadline. Says whether the cancellation was recorded.
    /// </summary>
    public bool RecordCancelledByScenario(string taskInstanceId)
    {
        string? deadlineJobId;
        using (var locked = records.LockForDecide(taskInstanceId))
        {
            var record = locked.Read();
            if (TaskDecision.Refusal(record) is { } refusal)
            {
                return refusal.PriorOutcome == TaskDecision.CancelledByScenario;
            }

            locked.WriteCancelledByScenario(time.GetUtcNow());
            deadlineJobId = record?.DeadlineJobId;
        }

        if (deadlineJobId is not null)
        {
            // The deadline job would find the task cancelled and do nothing; deleting it keeps the dashboard honest.
            jobs.Delete(deadlineJobId);
        }

        return true;
    }

    /// <summary>The Error 504 a deferred task receives at its deadline, decided unless something else came first.</summary>
    public bool DecideDeadlinePassed(string taskInstanceId, string deadline)
    {
        var record = records.Find(taskInstanceId);
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
        var decision = records.TryDecide(taskInstanceId, JsonSerializer.Serialize(outcome, ScenarioJsonContext.Default.TaskOutcome));
        if (decision.IsDecided)
        {
            Log.DeadlinePassed(logger, taskInstanceId);
        }

        return decision.IsDecided;
    }

    private static string Describe(TimeSpan duration)
        => duration.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s")
            : duration.ToString("c", CultureInfo.InvariantCulture);
}
