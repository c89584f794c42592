using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.LongRunning;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Runs one attempt of a task's work: the entry invoked in the job's DI scope with its arguments, under
/// the deadline, with progress sent to Scenario meanwhile. Says how the work ended, or throws
/// <see cref="RetryLaterException"/> when a failed attempt has retries left, or lets a shutdown or a
/// deletion's cancellation through (this run then reports nothing).
/// </summary>
internal sealed class WorkRunner(
    IServiceProvider services,
    EndpointOutcomeMapper mapper,
    ProgressReporterFactory progressReporters,
    ScenarioMetrics metrics,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<WorkRunner> logger)
{
    private readonly ScenarioReceiverOptions _options = options.Value;

    public async Task<WorkResult> RunAsync(
        ILongRunningEntry entry, ScenarioTaskContext taskContext, string argumentsJson, int attempt, string? statusUrl, CancellationToken jobToken)
    {
        var taskInstanceId = taskContext.TaskInstanceId!;
        var timeout = entry.Settings.Timeout(_options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(jobToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        var started = Stopwatch.GetTimestamp();
        var progress = progressReporters.Create(taskInstanceId, statusUrl);
        await using (progress.ConfigureAwait(false))
        {
            taskContext.AttachProgressSink(progress);
            try
            {
                var answer = await InvokeAsync(entry, argumentsJson, deadline.Token).ConfigureAwait(false);
                var outcome = mapper.FromAnswer(answer, entry.JsonOptions);
                return new WorkResult(outcome.Status == TaskStatusNames.Completed && outcome.Message is null
                    ? outcome.WithMessage(CompletedTrace(entry, Stopwatch.GetElapsedTime(started), attempt))
                    : outcome);
            }
            catch (OperationCanceledException) when (jobToken.IsCancellationRequested)
            {
                // Hangfire is shutting down (it will requeue the job) or the job was deleted (ReportWhenDeleted
                // reports the cancellation). Either way this run reports nothing.
                Log.WorkInterrupted(logger, taskInstanceId);
                throw;
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && timeout is not null)
            {
                return new WorkResult(EndpointOutcomeMapper.TimedOut(timeout.Value), ex);
            }
            catch (Exception ex) when (attempt <= entry.Settings.Retries)
            {
                Log.WorkAttemptFailed(logger, ex, taskInstanceId, attempt, entry.Settings.Retries + 1);
                throw new RetryLaterException(TimeSpan.FromSeconds(_options.WorkRetryDelaySeconds), $"{ex.GetType().Name}: {ex.Message}", ex);
            }
            catch (Exception ex)
            {
                Log.WorkFailed(logger, ex, taskInstanceId, attempt);
                return new WorkResult(mapper.FromException(ex), ex);
            }
            finally
            {
                taskContext.AttachProgressSink(null);
                metrics.WorkDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }
    }

    private async Task<EndpointAnswer> InvokeAsync(ILongRunningEntry entry, string argumentsJson, CancellationToken cancellationToken)
    {
        var arguments = ArgumentCodec.Deserialize(entry, argumentsJson, services, cancellationToken);

        // A stand-in for the request, over the job's scope, so code that reaches for the HttpContext finds one.
        var httpContext = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        return await entry.InvokeAsync(new EntryInvocation(httpContext, arguments)).ConfigureAwait(false);
    }

    /// <summary>Scenario's own client always sends a message with Completed, and the cockpit shows it: a short trace.</summary>
    private static string CompletedTrace(ILongRunningEntry entry, TimeSpan elapsed, int attempt)
        => string.Create(CultureInfo.InvariantCulture, $"Completed by {entry.Key} in {elapsed.TotalSeconds:0.###} s (attempt {attempt}).");
}
