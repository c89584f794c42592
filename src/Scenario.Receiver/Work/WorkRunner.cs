using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Request;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Work;

/// <summary>
/// Runs one attempt of a task's work: the entry invoked in the job's DI scope with its arguments and the
/// request snapshot, under the deadline, with progress sent to Scenario meanwhile. Says how the work ended,
/// or throws <see cref="RetryLaterException"/> when a failed attempt has retries left (after telling
/// Scenario so), or lets a shutdown or a deletion's cancellation through (this run then reports nothing).
/// Meanwhile it asks Scenario whether it cancelled the task (<see cref="CancellationWatch"/>), and cancels the
/// work's token when it did.
/// </summary>
internal sealed class WorkRunner(
    IServiceProvider services,
    EndpointOutcomeMapper mapper,
    CancellationQuery cancellationQuery,
    ScenarioMetrics metrics,
    TimeProvider time,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<WorkRunner> logger)
{
    private readonly ScenarioReceiverOptions _options = options.Value;

    /// <param name="entry">The endpoint.</param>
    /// <param name="taskContext">The job's task context.</param>
    /// <param name="input">The arguments and ambient values.</param>
    /// <param name="progress">The run's progress reporter, owned by the caller: sealed here when the work ends, finished by the caller once the outcome is stored.</param>
    /// <param name="jobToken">Hangfire's shutdown or deletion.</param>
    public async Task<WorkResult> RunAsync(ILongRunningEntry entry, ScenarioTaskContext taskContext, WorkInput input, ProgressReporter progress, CancellationToken jobToken)
    {
        var taskInstanceId = taskContext.TaskInstanceId!;
        var timeout = entry.Settings.Timeout(_options);
        var watch = CancellationWatch.Start(cancellationQuery, taskInstanceId, time);
        await using var stopWatching = watch.ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(jobToken, watch.Token);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        var started = Stopwatch.GetTimestamp();
        taskContext.AttachProgressSink(progress);
        try
        {
            // Without a deadline, only Scenario's cancellation abandons work that ignores its token: a shutdown
            // still waits for it, as before, so a requeued job never runs beside its abandoned twin.
            var abandonOn = timeout is not null ? deadline.Token : watch.IsActive ? watch.Token : (CancellationToken?)null;
            var answer = await InvokeUnderDeadlineAsync(entry, input, taskContext, timeout, abandonOn, deadline.Token).ConfigureAwait(false);
            if (answer.Value is ScenarioDeferredResult deferred)
            {
                return WorkResult.Deferred(deferred.Deadline);
            }

            var outcome = mapper.FromAnswer(answer, entry.JsonOptions);
            return new WorkResult(outcome.Status == TaskStatusNames.Completed && outcome.Message is null
                ? outcome.WithMessage(CompletedTrace(entry, Stopwatch.GetElapsedTime(started), input.Attempt))
                : outcome);
        }
        catch (OperationCanceledException) when (jobToken.IsCancellationRequested)
        {
            // Hangfire is shutting down (it will requeue the job) or the job was deleted (ReportWhenDeleted
            // reports the cancellation). Either way this run reports nothing.
            Log.WorkInterrupted(logger, taskInstanceId);
            throw;
        }
        catch (Exception) when (watch.IsCancelled)
        {
            // Whatever the work threw once its token was cancelled: Scenario has ended the task.
            return WorkResult.Cancelled();
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && timeout is not null)
        {
            return new WorkResult(EndpointOutcomeMapper.TimedOut(timeout.Value), ex);
        }
        catch (Exception ex) when (input.Attempt <= entry.Settings.Retries)
        {
            Log.WorkAttemptFailed(logger, ex, taskInstanceId, input.Attempt, entry.Settings.Retries + 1);
            var delay = _options.WorkRetryDelay;

            // Scenario hears of the failed attempt and of the next one, so a retry is never a silent gap.
            await progress.ReportAsync(progress.LatestPercent, RetryNotice(ex, input.Attempt, entry.Settings.Retries + 1, delay), CancellationToken.None).ConfigureAwait(false);
            throw new RetryLaterException(delay, $"{ex.GetType().Name}: {ex.Message}", ex);
        }
        catch (Exception ex)
        {
            Log.WorkFailed(logger, ex, taskInstanceId, input.Attempt);
            return new WorkResult(mapper.FromException(ex), ex);
        }
        finally
        {
            taskContext.AttachProgressSink(null);

            // No progress after the work: the last value leaves now, while the outcome is being stored.
            await progress.SealAsync().ConfigureAwait(false);
            metrics.WorkDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// A deadline is a deadline: when it passes, the attempt ends now, whether or not the work watches its
    /// token. Work that ignores it is abandoned: it may run on to its end in this process, but its result is
    /// discarded, its progress goes nowhere (the reporter is closed) and its job's DI scope is disposed.
    /// </summary>
    private async Task<EndpointAnswer> InvokeUnderDeadlineAsync(
        ILongRunningEntry entry, WorkInput input, ScenarioTaskContext task, TimeSpan? timeout, CancellationToken? abandonOn, CancellationToken token)
    {
        if (abandonOn is not { } abandon)
        {
            return await InvokeAsync(entry, input, task, token).ConfigureAwait(false);
        }

        // On the thread pool: a handler that blocks before its first await must not hold the deadline up.
        var work = Task.Run(() => InvokeAsync(entry, input, task, token), CancellationToken.None);
        try
        {
            return await work.WaitAsync(abandon).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested && !work.IsCompleted)
        {
            if (timeout is not null)
            {
                Log.WorkAbandonedAtDeadline(logger, task.TaskInstanceId!, timeout.Value.TotalSeconds);
            }

            _ = work.ContinueWith(static abandoned => _ = abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new OperationCanceledException(token);
        }
    }

    private async Task<EndpointAnswer> InvokeAsync(ILongRunningEntry entry, WorkInput input, ScenarioTaskContext task, CancellationToken cancellationToken)
    {
        // A stand-in for the request, over the job's scope, showing the request that accepted the task.
        var httpContext = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        RequestSnapshotRestore.Apply(httpContext, input.RequestSnapshot, task);
        if (services.GetService<IHttpContextAccessor>() is { } accessor)
        {
            // Set inside this async method: the value flows to the work and is gone when it returns.
            accessor.HttpContext = httpContext;
        }

        var arguments = ArgumentCodec.Deserialize(entry, input.ArgumentsJson, httpContext);
        return await entry.InvokeAsync(new EntryInvocation(httpContext, arguments)).ConfigureAwait(false);
    }

    private string RetryNotice(Exception exception, int attempt, int attempts, TimeSpan delay)
    {
        var next = time.GetUtcNow() + delay;
        var notice = string.Create(
            CultureInfo.InvariantCulture,
            $"Attempt {attempt} of {attempts} failed ({exception.GetType().Name}: {exception.Message}); attempt {attempt + 1} starts at {next:HH:mm:ss} UTC, in {delay.TotalSeconds:0.#} s.");
        return mapper.Cap(notice);
    }

    /// <summary>Scenario's own client always sends a message with Completed, and the cockpit shows it: a short trace.</summary>
    private static string CompletedTrace(ILongRunningEntry entry, TimeSpan elapsed, int attempt)
        => string.Create(CultureInfo.InvariantCulture, $"Completed by {entry.Key} in {elapsed.TotalSeconds:0.###} s (attempt {attempt}).");
}
