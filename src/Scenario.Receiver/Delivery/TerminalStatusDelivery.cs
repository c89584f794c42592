using System.Diagnostics;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// Delivers a task's terminal status exactly once per task id. One attempt posts the outcome stored in the
/// task record under the task's report lock, and marks the record reported; a second attempt, from any run
/// of any job on any instance, finds the mark and posts nothing. The work job makes the first attempt as
/// soon as the work ends; a failed first attempt becomes a <see cref="ScenarioReportJob"/> (scheduled for a
/// transient failure, Failed in the dashboard for a refusal), so a Scenario outage loses nothing.
/// </summary>
internal sealed class TerminalStatusDelivery(
    TaskLifecycle lifecycle,
    ScenarioStatusClient client,
    PromptRetries promptRetries,
    ScenarioMetrics metrics,
    TimeProvider time,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<TerminalStatusDelivery> logger)
{
    /// <summary>The longest wait between two looks at a progress post's lease that holds a terminal delivery up.</summary>
    private static readonly TimeSpan ProgressLeasePoll = TimeSpan.FromMilliseconds(100);

    private readonly TaskLifecycle _lifecycle = lifecycle;
    private readonly ScenarioStatusClient _client = client;
    private readonly TimeProvider _time = time;
    private readonly ScenarioReportingOptions _options = options.Value.Reporting;
    private readonly ILogger<TerminalStatusDelivery> _logger = logger;

    /// <summary>The task's workflow, as the last attempt's record said: the report job that carries on shows it in the dashboard.</summary>
    private string? _workflowInstanceId;

    /// <summary>
    /// The work job's attempt, once the outcome is stored: one short post (<see cref="ScenarioReportingOptions.InlineAttemptTimeout"/>),
    /// so a Scenario that hangs costs the work's worker seconds, not <see cref="ScenarioReportingOptions.RequestTimeout"/>. A failure
    /// is handed to a report job rather than thrown: the work is done and must not run again because Scenario was unreachable.
    /// A post that went unanswered is handed over at once; the report job posts it again with the full timeout (a duplicate if
    /// Scenario had taken the first one: the window <see cref="ScenarioReportingOptions.InlineAttemptTimeout"/> names).
    /// </summary>
    /// <param name="taskInstanceId">The task.</param>
    /// <param name="legacyStatusUrl">The status URL a job of an earlier version carries, for a record that has none.</param>
    /// <param name="decided">The outcome the caller decided itself, when its decision won: posted as it is, not read back.</param>
    public async Task DeliverFromWorkAsync(string taskInstanceId, string? legacyStatusUrl, TaskOutcome? decided = null)
    {
        using var activity = ScenarioTelemetry.Source.StartActivity("scenario.report");
        activity?.SetTag("scenario.task_instance_id", taskInstanceId);
        try
        {
            // Not the work's token: the work is over, and a deletion or shutdown now must not lose its report.
            await DeliverAsync(taskInstanceId, legacyStatusUrl, attempt: 1, CancellationToken.None, _options.InlineAttemptBound, decided).ConfigureAwait(false);
        }
        catch (RetryLaterException retry)
        {
            var reportJobId = await _lifecycle.HandOffDeliveryAsync(taskInstanceId, _workflowInstanceId, priorAttempts: 1,
                new ScheduledState(RetrySchedule.NotBefore(retry.Delay)) { Reason = RetrySchedule.Reason(1, retry) }).ConfigureAwait(false);
            promptRetries.EnqueueWhenDue(reportJobId, retry.Delay, ScenarioReportingOptions.ReportQueue);
        }
        catch (ScenarioDeliveryException refused)
        {
            await _lifecycle.HandOffDeliveryAsync(taskInstanceId, _workflowInstanceId, priorAttempts: 1,
                new FailedState(refused) { Reason = refused.Message }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The work job's hand-over without an attempt of its own: Scenario left a progress post of this run unanswered, so it
    /// is not answering now, and a terminal post must not be sent beside a progress post that may still be on its way.
    /// The report job starts at once when the progress post has ended, else once the status client's own timeout has ended it.
    /// </summary>
    public async Task HandOverFromWorkAsync(string taskInstanceId, string? workflowInstanceId, ProgressFlush progress)
    {
        _workflowInstanceId = workflowInstanceId;
        await _lifecycle.MarkUndeliveredAsync(taskInstanceId).ConfigureAwait(false);
        var delay = progress == ProgressFlush.StillSending ? _options.RequestTimeout : TimeSpan.Zero;
        var reason = progress == ProgressFlush.StillSending
            ? "a progress post of the work was still being sent; the report job waits for the status client's timeout (Scenario:Reporting:RequestTimeout)"
            : "Scenario did not answer the work's last progress post within Scenario:Reporting:InlineAttemptTimeout";
        var reportJobId = await _lifecycle.HandOffDeliveryAsync(taskInstanceId, _workflowInstanceId, priorAttempts: 0,
            new ScheduledState(RetrySchedule.NotBefore(delay)) { Reason = reason }).ConfigureAwait(false);
        promptRetries.EnqueueWhenDue(reportJobId, delay, ScenarioReportingOptions.ReportQueue);
        Log.TerminalHandedToReportJob(_logger, taskInstanceId, reportJobId, reason);
    }

    /// <summary>
    /// One attempt. Throws <see cref="RetryLaterException"/> for a transient failure worth another attempt, and
    /// <see cref="ScenarioDeliveryException"/> for a refusal or the last attempt.
    /// </summary>
    /// <param name="taskInstanceId">The task.</param>
    /// <param name="legacyStatusUrl">The status URL a job of an earlier version carries, for a record that has none.</param>
    /// <param name="attempt">This attempt's number, from 1.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <param name="shortAttempt">
    /// The timeout of the work job's own short attempt; a post unanswered within it is retried at once (with the full
    /// timeout), since it says only that Scenario is slower than the short bound. <see langword="null"/> for a full attempt.
    /// </param>
    /// <param name="decided">The outcome the caller decided itself, when its decision won: posted as it is, not read back.</param>
    public async Task DeliverAsync(string taskInstanceId, string? legacyStatusUrl, int attempt, CancellationToken cancellationToken, TimeSpan? shortAttempt = null, TaskOutcome? decided = null)
    {
        while (true)
        {
            IReportLock locked;
            try
            {
                locked = await _lifecycle.LockForReportAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
            }
            catch (DistributedLockTimeoutException ex)
            {
                // Another delivery of this task holds the lock while it posts; try again once it is done.
                throw new RetryLaterException(_options.DelayBeforeRetry(1), "another delivery of this task is in progress", ex);
            }

            TimeSpan progressLeft;
            await using (locked.ConfigureAwait(false))
            {
                var record = locked.Read();
                _workflowInstanceId = record?.WorkflowInstanceId;
                progressLeft = record is { IsReported: false, ProgressUntil: { } until } ? until - _time.GetUtcNow() : TimeSpan.Zero;
                if (progressLeft <= TimeSpan.Zero)
                {
                    using var logScope = _logger.BeginScope(new TaskLogScope(taskInstanceId, record?.WorkflowInstanceId));
                    await PostUnderLockAsync(locked, record, taskInstanceId, legacyStatusUrl, attempt, shortAttempt, decided, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            // A progress post of the task began before it was settled and may still be on its way: nothing may follow
            // the terminal status, so it waits for that post's answer (or its lease's end), without counting an attempt.
            await Task.Delay(progressLeft < ProgressLeasePoll ? progressLeft : ProgressLeasePoll, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PostUnderLockAsync(
        IReportLock locked, TaskRecord? record, string taskInstanceId, string? legacyStatusUrl, int attempt, TimeSpan? shortAttempt, TaskOutcome? decided, CancellationToken cancellationToken)
    {
        {
            if (record is { IsReported: true })
            {
                Log.ReportSkippedAlreadyReported(_logger, taskInstanceId, record.ReportedStatus);
                return;
            }

            if (record is { Outcome: null, CancelledByScenarioAt: not null })
            {
                // Scenario ended the task itself: nothing is posted for it, not even "cancelled".
                return;
            }

            var outcome = decided ?? record?.Outcome ?? DeletedBeforeFinishing();

            // Checked against the allow-list once, when the task was accepted, and kept in the record.
            var statusUrl = record?.StatusUrl ?? legacyStatusUrl;
            var target = statusUrl is null ? null : new Uri(statusUrl);
            if (record is { UnfinishedPost: true })
            {
                // The window of a duplicate, named: an earlier post of this status never learned its answer.
                Log.PossibleDuplicateTerminalStatus(_logger, outcome.Status, taskInstanceId);
            }

            var started = Stopwatch.GetTimestamp();
            metrics.ReportAttempts.Add(1);
            await locked.BeginPostAsync().ConfigureAwait(false);
            var result = await _client.PostAsync(outcome.ToStatusEvent(taskInstanceId), target, shortAttempt ?? _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (!result.WentUnanswered)
            {
                // A post cut off by its timeout may still have been taken by Scenario: left unfinished, so the next
                // delivery names the possible duplicate, as after a crash mid-post.
                locked.PostAnswered();
            }

            metrics.ReportLatency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

            switch (result.Kind)
            {
                case DeliveryResultKind.Delivered:
                    await locked.WriteReportedAsync(
                        outcome.Status,
                        _time.GetUtcNow(),
                        (ex, n, wait) => Log.ReportedMarkRetrying(_logger, ex, outcome.Status, taskInstanceId, n, wait.TotalSeconds),
                        cancellationToken).ConfigureAwait(false);
                    (outcome.Status == TaskStatusNames.Completed ? metrics.CompletedTasks : metrics.ErroredTasks).Add(1);
                    Log.StatusDelivered(_logger, outcome.Status, taskInstanceId, result.StatusCode, attempt);
                    return;

                case DeliveryResultKind.Transient when attempt < _options.MaxAttempts:
                    metrics.ReportFailures.Add(1);
                    await _lifecycle.MarkUndeliveredAsync(taskInstanceId).ConfigureAwait(false);
                    var delay = shortAttempt is not null && result.WentUnanswered ? TimeSpan.Zero : _options.DelayBeforeRetry(attempt);
                    if (result.RetryAfter is { } retryAfter && retryAfter > delay)
                    {
                        delay = retryAfter;
                        if (delay > _options.MaxRetryDelay)
                        {
                            // A Retry-After of days (seen: 86,400,000 s) would park the terminal status past any
                            // use to the workflow; Scenario is asked again after the cap instead.
                            delay = _options.MaxRetryDelay;
                            Log.RetryAfterCapped(_logger, retryAfter.TotalSeconds, outcome.Status, taskInstanceId, delay.TotalSeconds);
                        }
                    }

                    Log.DeliveryWillRetry(_logger, outcome.Status, taskInstanceId, attempt, result.Reason, delay.TotalSeconds);
                    throw new RetryLaterException(delay, $"attempt {attempt} of {_options.MaxAttempts}: {result.Reason}");

                case DeliveryResultKind.Transient:
                    metrics.ReportFailures.Add(1);
                    await _lifecycle.MarkUndeliveredAsync(taskInstanceId).ConfigureAwait(false);
                    Log.DeliveryGaveUp(_logger, outcome.Status, taskInstanceId, attempt, result.Reason);
                    throw new ScenarioDeliveryException(
                        $"Gave up delivering the {outcome.Status} status of task {taskInstanceId} after {attempt} attempts (Scenario:Reporting:MaxAttempts); the last one failed with: {result.Reason}. Requeue this job once Scenario is reachable.");

                default:
                    metrics.ReportFailures.Add(1);
                    await _lifecycle.MarkUndeliveredAsync(taskInstanceId).ConfigureAwait(false);
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

    /// <summary>What a task without an outcome reports: its work job was deleted before it decided one.</summary>
    private static TaskOutcome DeletedBeforeFinishing()
        => TaskOutcome.Error(StatusCodes.Status500InternalServerError, "The work was cancelled: its background job was deleted before it finished.");
}
