using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.LongRunning;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Runs a long-running action in Hangfire: in the job's own DI scope (Hangfire's activator creates one
/// per job), with the task context restored, the arguments deserialized and the job's cancellation token
/// passed to the action. It stores the outcome in the task record and delivers it to Scenario at once;
/// a delivery that fails is handed to a report job. Hangfire runs a job at least once, so this may run again: the action must be idempotent.
/// </summary>
internal sealed class ScenarioWorkJob
{
    private readonly IServiceProvider _services;
    private readonly LongRunningActionCatalog _catalog;
    private readonly ActionArgumentCodec _codec;
    private readonly ActionOutcomeMapper _mapper;
    private readonly TaskRecordStore _records;
    private readonly TerminalStatusDelivery _delivery;
    private readonly ScenarioStatusClient _statusClient;
    private readonly StatusUrlPolicy _statusUrlPolicy;
    private readonly TimeProvider _time;
    private readonly ScenarioReceiverOptions _options;
    private readonly ILogger<ScenarioWorkJob> _logger;

    public ScenarioWorkJob(
        IServiceProvider services,
        LongRunningActionCatalog catalog,
        ActionArgumentCodec codec,
        ActionOutcomeMapper mapper,
        TaskRecordStore records,
        TerminalStatusDelivery delivery,
        ScenarioStatusClient statusClient,
        StatusUrlPolicy statusUrlPolicy,
        TimeProvider time,
        IOptions<ScenarioReceiverOptions> options,
        ILogger<ScenarioWorkJob> logger)
    {
        _services = services;
        _catalog = catalog;
        _codec = codec;
        _mapper = mapper;
        _records = records;
        _delivery = delivery;
        _statusClient = statusClient;
        _statusUrlPolicy = statusUrlPolicy;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [ScenarioJobStateFilter]
    [ReportWhenDeleted]
    [JobDisplayName("Scenario {1} · {0}")]
    public async Task RunAsync(
        string actionKey,
        string taskInstanceId,
        string? workflowInstanceId,
        string? statusUrl,
        string argumentsJson,
        string? traceParent,
        PerformContext? performContext,
        CancellationToken cancellationToken)
    {
        using var logScope = _logger.BeginScope(new TaskLogScope(taskInstanceId, workflowInstanceId));
        using var activity = ScenarioTelemetry.StartJobActivity("scenario.work", traceParent, taskInstanceId);

        var record = _records.Find(taskInstanceId);
        if (record is { IsReported: true })
        {
            // Hangfire ran the job again (a crash, an invisibility timeout) after the task was reported:
            // nothing may follow the terminal status, so the work is not repeated.
            Log.WorkSkippedAlreadyReported(_logger, taskInstanceId, record.ReportedStatus);
            return;
        }

        if (record?.OutcomeJson is not null)
        {
            // A previous run finished the work and stored its outcome, then died before reporting it.
            await ReportAsync(taskInstanceId, workflowInstanceId, statusUrl, traceParent).ConfigureAwait(false);
            return;
        }

        var action = _catalog.Find(actionKey);
        if (action is null)
        {
            var unknown = TaskOutcome.Error(StatusCodes.Status500InternalServerError, $"No [ScenarioLongRunning] action '{actionKey}' exists in this version of the service.");
            SaveOutcome(taskInstanceId, unknown);
            await ReportAsync(taskInstanceId, workflowInstanceId, statusUrl, traceParent).ConfigureAwait(false);
            throw new WorkAbandonedException(unknown.Message!);
        }

        var taskContext = _services.GetRequiredService<ScenarioTaskContext>();
        taskContext.Capture(taskInstanceId, workflowInstanceId, null);

        var retryCount = performContext?.GetJobParameter<int>(ScenarioJobStateFilterAttribute.RetryCountParameter, allowStale: true) ?? 0;
        var timeout = action.Timeout(_options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        var started = Stopwatch.GetTimestamp();
        TaskOutcome outcome;
        Exception? abandonedBecause = null;
        var progress = new ProgressReporter(
            taskInstanceId, _statusUrlPolicy.AllowedOrNull(statusUrl is null ? null : new Uri(statusUrl)), _statusClient, _records, _time, _options.Reporting, _logger);
        await using (progress.ConfigureAwait(false))
        {
            taskContext.AttachProgressSink(progress);
            try
            {
                var result = await InvokeAsync(action, argumentsJson, deadline.Token).ConfigureAwait(false);
                outcome = _mapper.FromResult(result);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Hangfire is shutting down (it will requeue the job) or the job was deleted (ReportWhenDeleted
                // reports the cancellation). Either way this run reports nothing.
                Log.WorkInterrupted(_logger, taskInstanceId);
                throw;
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && timeout is not null)
            {
                outcome = ActionOutcomeMapper.TimedOut(timeout.Value);
                abandonedBecause = ex;
            }
            catch (Exception ex) when (retryCount < action.Attribute.Retries)
            {
                Log.WorkAttemptFailed(_logger, ex, taskInstanceId, retryCount + 1, action.Attribute.Retries + 1);
                throw new RetryLaterException(TimeSpan.FromSeconds(_options.WorkRetryDelaySeconds), $"{ex.GetType().Name}: {ex.Message}", ex);
            }
            catch (Exception ex)
            {
                Log.WorkFailed(_logger, ex, taskInstanceId, retryCount + 1);
                outcome = _mapper.FromException(ex);
                abandonedBecause = ex;
            }
            finally
            {
                taskContext.AttachProgressSink(null);
                ScenarioTelemetry.WorkDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }

        // Progress is flushed and closed above, so the outcome (and the terminal status) comes after it.
        SaveOutcome(taskInstanceId, outcome);
        Log.WorkFinished(_logger, taskInstanceId, outcome.Status, outcome.StatusCode);
        await ReportAsync(taskInstanceId, workflowInstanceId, statusUrl, traceParent).ConfigureAwait(false);
        if (abandonedBecause is not null)
        {
            // Deleted, not Failed: the task is over and reported; a requeue would only run the work again.
            throw new WorkAbandonedException(outcome.Message ?? outcome.Status, abandonedBecause);
        }
    }

    /// <summary>The first attempt to deliver the stored outcome; a failure becomes a report job, not a rerun.</summary>
    private async Task ReportAsync(string taskInstanceId, string? workflowInstanceId, string? statusUrl, string? traceParent)
    {
        using var activity = ScenarioTelemetry.Source.StartActivity("scenario.report");
        activity?.SetTag("scenario.task_instance_id", taskInstanceId);
        await _delivery.DeliverFromWorkAsync(taskInstanceId, workflowInstanceId, statusUrl, traceParent).ConfigureAwait(false);
    }

    private async Task<object?> InvokeAsync(LongRunningAction action, string argumentsJson, CancellationToken cancellationToken)
    {
        var arguments = _codec.Deserialize(action, argumentsJson, _services, cancellationToken);
        var controller = _services.GetService(action.ControllerType) ?? action.CreateController(_services, null);
        try
        {
            if (controller is ControllerBase controllerBase)
            {
                // A stand-in request context, so Ok(), Problem(), Url and friends work as in a request.
                var httpContext = new DefaultHttpContext { RequestServices = _services, RequestAborted = cancellationToken };
                controllerBase.ControllerContext = new ControllerContext(new ActionContext(httpContext, new RouteData(), action.Descriptor));
            }

            return await action.InvokeAsync(controller, arguments).ConfigureAwait(false);
        }
        finally
        {
            switch (controller)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private void SaveOutcome(string taskInstanceId, TaskOutcome outcome)
        => _records.WriteOutcome(taskInstanceId, JsonSerializer.Serialize(outcome, ScenarioJsonContext.Default.TaskOutcome));
}
