using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Work;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>
/// The Scenario page's actions, each through the task's single writer (<see cref="TaskLifecycle"/>) and each logged at
/// Warning with the operator's name: a decision goes where every decision goes (the first one wins), a delivery through
/// a report job, and a second post of a delivered status under the task's report lock, named as such.
/// </summary>
internal sealed class TaskOperator(
    TaskLifecycle lifecycle,
    EndpointOutcomeMapper mapper,
    ScenarioStatusClient client,
    TimeProvider time,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<TaskOperator> logger)
{
    /// <summary>How a result that did nothing begins.</summary>
    internal const string NotDone = "Not done: ";

    /// <summary>Fails a running or deferred task: Scenario receives Error with the operator's message.</summary>
    public async Task<string> FailAsync(string taskInstanceId, string operatorName, string message, CancellationToken cancellationToken)
    {
        if (await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false) is not { } record
            || TaskStandings.Of(record) is not (TaskStanding.Running or TaskStanding.Deferred))
        {
            return Refused("fail", taskInstanceId, operatorName, "only a running or deferred task can be failed");
        }

        var standing = TaskStandings.Of(record);
        var outcome = TaskOutcome.Error(500, mapper.Cap(string.IsNullOrWhiteSpace(message) ? "Failed by an operator from the dashboard." : message.Trim()));
        if (!await DecideAndHandOffAsync(taskInstanceId, outcome, "failed by an operator", cancellationToken, () => EndRunningWork(taskInstanceId, record, standing, operatorName)).ConfigureAwait(false))
        {
            return Refused("fail", taskInstanceId, operatorName, "something else decided the task first");
        }

        Log.OperatorFailedTask(logger, operatorName, taskInstanceId, TaskStandingLabels.Label(standing), outcome.StatusCode, outcome.Message!);
        return "Failed: Scenario receives Error 500.";
    }

    /// <summary>
    /// A running task's work is stopped once the operator's decision has won: its job is deleted, so the work's token
    /// fires and nothing it does afterwards is kept. A deferred task's work job has ended already (it deferred).
    /// </summary>
    private void EndRunningWork(string taskInstanceId, TaskRecord record, TaskStanding standing, string operatorName)
    {
        if (standing != TaskStanding.Running || record.JobId is not { } workJobId)
        {
            return;
        }

        var reason = $"Failed by operator {operatorName} from the dashboard's Scenario page: Scenario receives Error 500; the work is cancelled and whatever it returns is dropped.";
        if (lifecycle.EndWork(workJobId, reason) is { } priorState)
        {
            Log.OperatorEndedWork(logger, operatorName, taskInstanceId, workJobId, priorState);
        }
    }

    /// <summary>Completes a deferred task with the given output values: Scenario receives Completed.</summary>
    public async Task<string> CompleteAsync(string taskInstanceId, string operatorName, IReadOnlyDictionary<string, string> outputs, CancellationToken cancellationToken)
    {
        if (await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false) is not { } record
            || TaskStandings.Of(record) is not TaskStanding.Deferred)
        {
            return Refused("complete", taskInstanceId, operatorName, "only a deferred task can be completed");
        }

        var outcome = TaskOutcome.Completed(200, new Dictionary<string, string>(outputs, StringComparer.Ordinal)).WithMessage("Completed by an operator from the dashboard.");
        if (!await DecideAndHandOffAsync(taskInstanceId, outcome, "completed by an operator", cancellationToken).ConfigureAwait(false))
        {
            return Refused("complete", taskInstanceId, operatorName, "something else decided the task first");
        }

        Log.OperatorCompletedTask(logger, operatorName, taskInstanceId, outputs.Count);
        return "Completed: Scenario receives Completed.";
    }

    /// <summary>Enqueues the task's delivery now: its report job leaves Scheduled or Failed.</summary>
    public async Task<string> RetryDeliveryAsync(string taskInstanceId, string operatorName, CancellationToken cancellationToken)
    {
        var reportJobId = await lifecycle.RetryDeliveryNowAsync(taskInstanceId, $"Retried now by {operatorName} from the dashboard's Scenario page.", cancellationToken).ConfigureAwait(false);
        if (reportJobId is null)
        {
            return Refused("retry the delivery of", taskInstanceId, operatorName, "the task has no undelivered outcome");
        }

        Log.OperatorRetriedDelivery(logger, operatorName, taskInstanceId, reportJobId);
        return $"Delivery retried now: report job {reportJobId} is enqueued.";
    }

    /// <summary>
    /// Posts a delivered task's terminal status a second time, under its report lock: for a status Scenario took but lost.
    /// Scenario's answer is recorded and shown; the task stays delivered whatever it says.
    /// </summary>
    public async Task<string> RedeliverAsync(string taskInstanceId, string operatorName, CancellationToken cancellationToken)
    {
        var locked = await lifecycle.LockForReportAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using (locked.ConfigureAwait(false))
        {
            if (locked.Read() is not { IsReported: true, Outcome: { } outcome, ReportedAt: { } reportedAt } record)
            {
                return Refused("re-deliver", taskInstanceId, operatorName, "only a delivered task's status can be posted again");
            }

            var reportingOptions = options.Value.Reporting;
            var result = await client.PostAsync(
                outcome.ToStatusEvent(taskInstanceId), record.StatusUrl is { } statusUrl ? new Uri(statusUrl) : null, reportingOptions.RequestTimeout, cancellationToken).ConfigureAwait(false);
            var answer = result.Kind == DeliveryResultKind.Delivered ? $"{result.StatusCode} (taken)" : TerminalStatusDelivery.Answer(result);
            await locked.WriteDeliveryNoteAsync((record.Delivery ?? new DeliveryNote(1, null, null, false)) with
            {
                LastAnswer = "second post: " + answer,
                LastAttemptAt = time.GetUtcNow(),
                NeedsPerson = false,
                RedeliveredAt = time.GetUtcNow(),
                RedeliveredBy = operatorName,
            }).ConfigureAwait(false);
            Log.OperatorRedeliveredStatus(logger, operatorName, outcome.Status, taskInstanceId, reportedAt, answer);
            return $"Re-delivered (a second post of {outcome.Status}): Scenario answered {answer}.";
        }
    }

    /// <summary>
    /// The operator's decision, and its delivery handed to a report job when it won; <paramref name="afterDecision"/> ends
    /// what the decision makes pointless (a running task's work) before the delivery is handed off.
    /// </summary>
    private async Task<bool> DecideAndHandOffAsync(string taskInstanceId, TaskOutcome outcome, string what, CancellationToken cancellationToken, Action? afterDecision = null)
    {
        var decision = await lifecycle.DecideAsync(taskInstanceId, outcome, TaskDecider.Operator, cancellationToken).ConfigureAwait(false);
        if (!decision.IsDecided)
        {
            return false;
        }

        afterDecision?.Invoke();

        await lifecycle.HandOffDeliveryAsync(taskInstanceId, decision.WorkflowInstanceId, priorAttempts: 0,
            new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = $"The task was {what} from the dashboard: {outcome.Status} {outcome.StatusCode}." }).ConfigureAwait(false);
        return true;
    }

    private string Refused(string action, string taskInstanceId, string operatorName, string why)
    {
        Log.OperatorActionRefused(logger, operatorName, action, taskInstanceId, why);
        return NotDone + why + ".";
    }
}
