using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.LongRunning;
using Scenario.Receiver.Reporting;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Completion;

/// <summary>
/// <see cref="IScenarioTaskCompletion"/> over the task record: the outcome is decided under the task's decide
/// lock (<see cref="ITaskStore.TryDecideAsync"/>), the same decision the work job, a deadline and a cancellation
/// make, and then delivered by a report job, so the caller is answered without waiting for Scenario and an
/// outage of Scenario loses nothing.
/// </summary>
internal sealed class ScenarioTaskCompletion(
    ITaskStore records,
    JobLookup jobLookup,
    EndpointOutcomeMapper mapper,
    IBackgroundJobClient jobs,
    ScenarioStatusClient client,
    StatusUrlPolicy statusUrlPolicy,
    TaskDeferral deferral,
    ILogger<ScenarioTaskCompletion> logger) : IScenarioTaskCompletion
{
    public async Task<ScenarioCompletionResult> CompleteAsync(string taskInstanceId, object? outputs, string? message = null, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskInstanceId);
        cancellationToken.ThrowIfCancellationRequested();

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
        CheckTaskId(taskInstanceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        cancellationToken.ThrowIfCancellationRequested();
        return await DecideAsync(taskInstanceId, TaskOutcome.Error(statusCode, mapper.Cap(message)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReportProgressAsync(string taskInstanceId, int percent, string? message = null, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskInstanceId);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);

        // Taken and returned before the post: a terminal status being posted is waited for, and then found reported,
        // so this progress does not overtake it; the post itself holds no lock, so a slow Scenario holds up no delivery.
        TaskRecord? record;
        var locked = await records.LockForReportAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using (locked.ConfigureAwait(false))
        {
            record = locked.Read();
        }

        if (record is not null && record.IsSettled)
        {
            return false;
        }

        var ambient = record?.JobId is { } jobId ? jobLookup.Ambient(jobId) : TaskAmbient.None;
        var target = ambient.StatusUrl is null ? null : statusUrlPolicy.AllowedOrNull(new Uri(ambient.StatusUrl));
        var statusEvent = new TaskStatusEvent
        {
            TaskInstanceId = taskInstanceId,
            Status = TaskStatusNames.InProgress,
            ProgressPercentage = percent,
            Message = message is null ? null : mapper.Cap(message),
        };
        var result = await client.PostAsync(statusEvent, target, cancellationToken).ConfigureAwait(false);
        if (result.Kind != DeliveryResultKind.Delivered)
        {
            Log.ProgressNotDelivered(logger, taskInstanceId, result.Reason);
        }

        return result.Kind == DeliveryResultKind.Delivered;
    }

    public async Task<bool> IsKnownAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        CheckTaskId(taskInstanceId);
        return (await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false))?.JobId is not null;
    }

    private async Task<ScenarioCompletionResult> DecideAsync(string taskInstanceId, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        // The token ends the wait for the decide lock; once decided, nothing below may be cut short.
        var decision = await records.TryDecideAsync(taskInstanceId, JsonSerializer.Serialize(outcome, ScenarioJsonContext.Default.TaskOutcome), cancellationToken).ConfigureAwait(false);
        if (!decision.IsDecided)
        {
            Log.OutcomeAlreadyDecided(logger, taskInstanceId, outcome.Status, decision.PriorOutcome);
            return ScenarioCompletionResult.AlreadyFinished(decision.PriorOutcome);
        }

        // Durable before the caller hears "decided": the delivery is a job, retried on the report schedule.
        // A task never accepted here has no work job, so no ambient values: its status goes to Scenario:BaseUrl.
        var record = await records.FindAsync(taskInstanceId, CancellationToken.None).ConfigureAwait(false);

        // A deferred task's deadline and next cancellation check have nothing left to do.
        deferral.DropScheduledJobs(record);
        var ambient = record?.JobId is { } jobId ? jobLookup.Ambient(jobId) : TaskAmbient.None;
        var reportJobId = TerminalStatusDelivery.CreateReportJob(
            jobs, taskInstanceId, ambient, priorAttempts: 0,
            new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = $"The task was finished explicitly: {outcome.Status} {outcome.StatusCode}." });
        await records.WriteReportJobAsync(taskInstanceId, reportJobId, CancellationToken.None).ConfigureAwait(false);
        Log.TaskFinishedExplicitly(logger, taskInstanceId, outcome.Status, outcome.StatusCode, reportJobId);
        return ScenarioCompletionResult.Decided;
    }

    private static void CheckTaskId(string taskInstanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskInstanceId);
        if (!TaskHeaderReader.IsCanonicalGuid(taskInstanceId, out _))
        {
            throw new ArgumentException($"'{taskInstanceId}' is not a task instance id: Scenario issues GUIDs such as 364e21c2-25bf-497d-9583-3d359e7cbf91.", nameof(taskInstanceId));
        }
    }
}
