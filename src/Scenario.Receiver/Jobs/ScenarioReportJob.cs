using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.LongRunning;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Delivers a task's terminal status to Scenario, exactly once per task id. It runs as the continuation
/// of the work job, whichever way the work ended. The task record, read and written under the task's
/// report lock in job storage, makes a second run (Hangfire runs jobs at least once) a no-op. Transient
/// failures are retried on the configured schedule; refusals leave the job Failed in the dashboard,
/// where an operator can requeue it once the cause (usually the API key) is fixed.
/// </summary>
internal sealed class ScenarioReportJob
{
    private readonly TaskRecordStore _records;
    private readonly ScenarioStatusClient _client;
    private readonly StatusUrlPolicy _statusUrlPolicy;
    private readonly TimeProvider _time;
    private readonly ScenarioReportingOptions _options;
    private readonly ILogger<ScenarioReportJob> _logger;

    public ScenarioReportJob(
        TaskRecordStore records,
        ScenarioStatusClient client,
        StatusUrlPolicy statusUrlPolicy,
        TimeProvider time,
        IOptions<ScenarioReceiverOptions> options,
        ILogger<ScenarioReportJob> logger)
    {
        _records = records;
        _client = client;
        _statusUrlPolicy = statusUrlPolicy;
        _time = time;
        _options = options.Value.Reporting;
        _logger = logger;
    }

    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [ScenarioJobStateFilter]
    [JobDisplayName("Report → Scenario {0}")]
    public async Task DeliverAsync(
        string taskInstanceId,
        string? workflowInstanceId,
        string? statusUrl,
        string? traceParent,
        PerformContext? performContext,
        CancellationToken cancellationToken)
    {
        using var logScope = _logger.BeginScope(new TaskLogScope(taskInstanceId, workflowInstanceId));
        using var activity = ScenarioTelemetry.StartJobActivity("scenario.report", traceParent, taskInstanceId);
        var retryCount = performContext?.GetJobParameter<int>(ScenarioJobStateFilterAttribute.RetryCountParameter, allowStale: true) ?? 0;

        LockedTask locked;
        try
        {
            locked = _records.LockForReport(taskInstanceId);
        }
        catch (DistributedLockTimeoutException ex)
        {
            // Another run of this job holds the lock while it posts; try again once it is done.
            throw new RetryLaterException(_options.DelayBeforeRetry(1), "another delivery of this task is in progress", ex);
        }

        using (locked)
        {
            var record = locked.Read();
            if (record is { IsReported: true })
            {
                Log.ReportSkippedAlreadyReported(_logger, taskInstanceId, record.ReportedStatus);
                return;
            }

            var outcome = record?.OutcomeJson is { } json
                ? JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.TaskOutcome)!
                : ActionOutcomeMapper.Cancelled();

            // Checked again at delivery: the allow-list may have changed since the task was accepted.
            var target = statusUrl is null ? null : _statusUrlPolicy.AllowedOrNull(new Uri(statusUrl));
            var attempt = retryCount + 1;
            var started = Stopwatch.GetTimestamp();
            ScenarioTelemetry.ReportAttempts.Add(1);
            var result = await _client.PostAsync(outcome.ToStatusEvent(taskInstanceId), target, cancellationToken).ConfigureAwait(false);
            ScenarioTelemetry.ReportLatency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

            switch (result.Kind)
            {
                case DeliveryResultKind.Delivered:
                    locked.WriteReported(outcome.Status, _time.GetUtcNow());
                    (outcome.Status == TaskStatusNames.Completed ? ScenarioTelemetry.CompletedTasks : ScenarioTelemetry.ErroredTasks).Add(1);
                    Log.StatusDelivered(_logger, outcome.Status, taskInstanceId, result.StatusCode, attempt);
                    return;

                case DeliveryResultKind.Transient when attempt < _options.MaxAttempts:
                    ScenarioTelemetry.ReportFailures.Add(1);
                    _records.MarkUndelivered(taskInstanceId);
                    var delay = _options.DelayBeforeRetry(attempt);
                    if (result.RetryAfter is { } retryAfter && retryAfter > delay)
                    {
                        delay = retryAfter;
                    }

                    Log.DeliveryWillRetry(_logger, outcome.Status, taskInstanceId, attempt, result.Reason, delay.TotalSeconds);
                    throw new RetryLaterException(delay, $"attempt {attempt} of {_options.MaxAttempts}: {result.Reason}");

                case DeliveryResultKind.Transient:
                    ScenarioTelemetry.ReportFailures.Add(1);
                    _records.MarkUndelivered(taskInstanceId);
                    Log.DeliveryGaveUp(_logger, outcome.Status, taskInstanceId, attempt, result.Reason);
                    throw new ScenarioDeliveryException(
                        $"Gave up delivering the {outcome.Status} status of task {taskInstanceId} after {attempt} attempts (Scenario:Reporting:MaxAttempts); the last one failed with: {result.Reason}. Requeue this job once Scenario is reachable.");

                default:
                    ScenarioTelemetry.ReportFailures.Add(1);
                    _records.MarkUndelivered(taskInstanceId);
                    var fix = FixFor(result.StatusCode);
                    Log.DeliveryRefused(_logger, outcome.Status, taskInstanceId, result.StatusCode, fix);
                    throw new ScenarioDeliveryException(
                        $"Scenario refused the {outcome.Status} status of task {taskInstanceId} with {result.StatusCode} {result.Reason}: {fix} Requeue this job from the dashboard once fixed.");
            }
        }
    }

    private static string FixFor(int statusCode) => statusCode switch
    {
        401 => "the worker token was missing or not recognised; check Scenario:ApiKey.",
        403 => "the worker token is not authorized to update this task; ask the Scenario administrators for a worker token with that right and set Scenario:ApiKey.",
        404 => "the TaskStatus API was not found; check Scenario:BaseUrl.",
        400 => "Scenario did not take the status (the task may be finished or cancelled already, or the body was refused).",
        _ => "Scenario did not take the status.",
    };
}
