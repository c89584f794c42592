using System.Globalization;
using Hangfire;
using Hangfire.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The Hangfire job of a deferred task: its deadline, run on any instance sharing the storage, after any restart. The
/// questions to Scenario whether it cancelled the task meanwhile are batched (<see cref="DeferredCancellationCheck"/>);
/// the per-task check job of earlier versions only hands its task to them.
/// </summary>
internal sealed class ScenarioDeferralJob(
    TaskLifecycle lifecycle,
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
        var record = await lifecycle.Records.FindAsync(taskInstanceId).ConfigureAwait(false);
        using var logScope = logger.BeginScope(new TaskLogScope(taskInstanceId, record?.WorkflowInstanceId));
        var legacyStatusUrl = TaskJobParameters.ReadLegacyStatusUrl(performContext);
        if (record is { DeferredUntil: { } until, IsSettled: false })
        {
            if (await cancellationQuery.IsCancelledAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false))
            {
                await lifecycle.RecordCancelledByScenarioAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            var outcome = DeadlineError(deadline, until);
            var decision = await lifecycle.DecideAsync(taskInstanceId, outcome, TaskDecider.Deadline, CancellationToken.None).ConfigureAwait(false);
            if (decision.IsDecided)
            {
                Log.DeadlinePassed(logger, taskInstanceId);
                await delivery.DeliverFromWorkAsync(taskInstanceId, legacyStatusUrl, outcome).ConfigureAwait(false);
                return;
            }

            record = await lifecycle.Records.FindAsync(taskInstanceId).ConfigureAwait(false);
        }

        // Also when another run of this job decided it and died before delivering: delivery is guarded.
        if (record is { Outcome: not null, IsReported: false })
        {
            await delivery.DeliverFromWorkAsync(taskInstanceId, legacyStatusUrl).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A cancellation check an earlier version scheduled for one task: the checks are batched now
    /// (<see cref="DeferredCancellationCheck"/>), so this makes the task due for the next round and schedules nothing. Kept
    /// for the jobs already in storage. Public because Hangfire invokes only public methods.
    /// </summary>
    /// <param name="taskInstanceId">The deferred task.</param>
    /// <param name="performContext">Supplied by Hangfire: the job parameters.</param>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    [AutomaticRetry(Attempts = 3, LogEvents = false)]
    [ExpireSoonWhenFinished]
    [JobDisplayName("Was deferred Scenario task {0} cancelled?")]
    public async Task CheckCancellationAsync(string taskInstanceId, PerformContext? performContext, CancellationToken cancellationToken)
    {
        var record = await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (StillWaiting(record))
        {
            await lifecycle.ScheduleCancellationCheckAsync(taskInstanceId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    private bool StillWaiting(TaskRecord? record)
        => record is { DeferredUntil: { } until } && !record.IsSettled && until > time.GetUtcNow();

    private static TaskOutcome DeadlineError(string deadline, DateTimeOffset until)
        => TaskOutcome.Error(
            StatusCodes.Status504GatewayTimeout,
            TimeSpan.TryParseExact(deadline, "c", CultureInfo.InvariantCulture, out var within)
                ? $"The task was not completed within {Describe(within)} of its deferral (deadline {until:O})."
                : $"The task was not completed by its deadline {until:O}.");

    private static string Describe(TimeSpan duration)
        => duration.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s")
            : duration.ToString("c", CultureInfo.InvariantCulture);
}
