using System.Text.Json;
using Hangfire.States;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Request;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Work;

namespace Scenario.Receiver.Completion;

/// <summary>
/// <see cref="IScenarioTaskCompletion"/> over the task's lifecycle: the outcome is decided under the task's decide
/// lock (<see cref="TaskLifecycle.DecideAsync"/>), the same decision the work job, a deadline and a cancellation
/// make, and then delivered by a report job, so the caller is answered without waiting for Scenario and an
/// outage of Scenario loses nothing. The task id is made canonical here, at the edge.
/// </summary>
internal sealed class ScenarioTaskCompletion(
    TaskLifecycle lifecycle,
    EndpointOutcomeMapper mapper,
    ScenarioStatusClient client,
    TimeProvider time,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<ScenarioTaskCompletion> logger) : IScenarioTaskCompletion
{
    public async Task<ScenarioCompletionResult> CompleteAsync(string taskInstanceId, object? outputs, string? message = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryCanonicalTaskId(taskInstanceId, out var canonicalId))
        {
            // Whatever a callback's URL held: never posted to Scenario, and never an exception for the caller to map.
            return ScenarioCompletionResult.UnknownTask(taskInstanceId ?? string.Empty);
        }

        taskInstanceId = canonicalId;

        // The same rules as an endpoint's result: an object's properties or a dictionary's entries, each a string.
        var outcome = mapper.FromAnswer(new EndpointAnswer(StatusCodes.Status200OK, outputs), JsonSerializerOptions.Web);
        if (outcome.Status == TaskStatusNames.Completed)
        {
            outcome = outcome.WithMessage(message is null ? "Completed explicitly." : mapper.Cap(message));
        }

        return await DecideAsync(taskInstanceId, outcome, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScenarioCompletionResult> FailAsync(string taskInstanceId, string message, int statusCode = 500, CancellationToken cancellationToken = default)
    {
        // The caller's own arguments first: a missing message is a bug whatever the id is.
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryCanonicalTaskId(taskInstanceId, out var canonicalId))
        {
            return ScenarioCompletionResult.UnknownTask(taskInstanceId ?? string.Empty);
        }

        taskInstanceId = canonicalId;
        return await DecideAsync(taskInstanceId, TaskOutcome.Error(statusCode, mapper.Cap(message)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReportProgressAsync(string taskInstanceId, int percent, string? message = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (!TryCanonicalTaskId(taskInstanceId, out var canonicalId))
        {
            return false;
        }

        taskInstanceId = canonicalId;

        var record = await lifecycle.Records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record is { IsSettled: true })
        {
            return false;
        }

        // Begun under the report lock, unless the task was settled meanwhile, with a lease that makes a terminal delivery
        // wait for this post's answer: nothing reaches Scenario after the terminal status, and no lock is held across the post.
        var timeout = options.Value.Reporting.RequestTimeout;
        var until = ProgressLease.Until(time, timeout);
        if (!await lifecycle.TryBeginProgressAsync(taskInstanceId, until, afterOwnWork: false, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        DeliveryResult result;
        try
        {
            var statusEvent = new TaskStatusEvent
            {
                TaskInstanceId = taskInstanceId,
                Status = TaskStatusNames.InProgress,
                ProgressPercentage = percent,
                Message = message is null ? null : mapper.Cap(message),
            };
            result = await client.PostAsync(statusEvent, record?.StatusUrl is { } statusUrl ? new Uri(statusUrl) : null, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await lifecycle.EndProgressAsync(taskInstanceId, until, CancellationToken.None).ConfigureAwait(false);
        }

        if (result.Kind != DeliveryResultKind.Delivered)
        {
            Log.ProgressNotDelivered(logger, taskInstanceId, result.Reason);
        }

        return result.Kind == DeliveryResultKind.Delivered;
    }

    public async Task<bool> IsKnownAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => TryCanonicalTaskId(taskInstanceId, out var canonicalId)
            && (await lifecycle.Records.FindAsync(canonicalId, cancellationToken).ConfigureAwait(false))?.JobId is not null;

    private async Task<ScenarioCompletionResult> DecideAsync(string taskInstanceId, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        // The token ends the wait for the decide lock; once decided, nothing below may be cut short.
        var decision = await lifecycle.DecideAsync(taskInstanceId, outcome, TaskDecider.Callback, cancellationToken).ConfigureAwait(false);
        if (!decision.IsDecided)
        {
            var prior = PriorOutcome(decision.Prior);
            Log.OutcomeAlreadyDecided(logger, taskInstanceId, outcome.Status, prior.ToString());
            return ScenarioCompletionResult.AlreadyFinished(taskInstanceId, prior);
        }

        // Durable before the caller hears "decided": the delivery is a job, retried on the report schedule.
        var reportJobId = await lifecycle.HandOffDeliveryAsync(
            taskInstanceId, decision.WorkflowInstanceId, priorAttempts: 0,
            new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = $"The task was finished explicitly: {outcome.Status} {outcome.StatusCode}." }).ConfigureAwait(false);
        Log.TaskFinishedExplicitly(logger, taskInstanceId, outcome.Status, outcome.StatusCode, reportJobId);
        return ScenarioCompletionResult.Decided(taskInstanceId);
    }

    /// <summary>
    /// What <see cref="ScenarioCompletionResult.PriorOutcome"/> says. A settled record always names one; should a record
    /// ever hold another status, the call is still refused (409), only without a name for what came first.
    /// </summary>
    private static ScenarioPriorOutcome PriorOutcome(TaskSettlement? prior) => prior switch
    {
        TaskSettlement.Completed => ScenarioPriorOutcome.Completed,
        TaskSettlement.Error => ScenarioPriorOutcome.Error,
        TaskSettlement.CancelledByScenario => ScenarioPriorOutcome.CancelledByScenario,
        _ => ScenarioPriorOutcome.None,
    };

    /// <summary>
    /// The task id as every store keys it, made canonical here, at the edge; <see langword="false"/> for anything that is
    /// not a task instance id (null, empty, not a GUID, the empty GUID), which no store holds and Scenario never issued.
    /// </summary>
    private static bool TryCanonicalTaskId(string? taskInstanceId, out string canonicalId)
    {
        canonicalId = taskInstanceId is not null && TaskHeaderReader.IsTaskInstanceId(taskInstanceId) ? TaskHeaderReader.Canonical(taskInstanceId) : string.Empty;
        return canonicalId.Length > 0;
    }
}
