using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Carries on delivering a task's terminal status when the work job's own attempt failed, or when the work
/// job was deleted before it could report. Transient failures are retried on the configured schedule;
/// refusals leave the job Failed in the dashboard, where an operator can requeue it once the cause (usually
/// the API key) is fixed. Running it twice posts once: <see cref="TerminalStatusDelivery"/> guards the task.
/// </summary>
internal sealed class ScenarioReportJob
{
    private readonly TerminalStatusDelivery _delivery;
    private readonly ILogger<ScenarioReportJob> _logger;

    public ScenarioReportJob(TerminalStatusDelivery delivery, ILogger<ScenarioReportJob> logger)
    {
        _delivery = delivery;
        _logger = logger;
    }

    /// <summary>Hangfire's entry point. Public because Hangfire invokes only public methods.</summary>
    /// <param name="taskInstanceId">The task.</param>
    /// <param name="workflowInstanceId">Its workflow, for the log scope.</param>
    /// <param name="statusUrl">An allowed caller-suggested status URL, or null for the configured BaseUrl.</param>
    /// <param name="traceParent">The trace of the request that accepted the task.</param>
    /// <param name="priorAttempts">Attempts made before this job was created (the work job's own).</param>
    /// <param name="performContext">Supplied by Hangfire.</param>
    /// <param name="cancellationToken">Supplied by Hangfire: shutdown or deletion.</param>
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [ScenarioJobStateFilter]
    [JobDisplayName("Report → Scenario {0}")]
    public async Task DeliverAsync(
        string taskInstanceId,
        string? workflowInstanceId,
        string? statusUrl,
        string? traceParent,
        int priorAttempts,
        PerformContext? performContext,
        CancellationToken cancellationToken)
    {
        using var logScope = _logger.BeginScope(new TaskLogScope(taskInstanceId, workflowInstanceId));
        using var activity = ScenarioTelemetry.StartJobActivity("scenario.report", traceParent, taskInstanceId);
        var retryCount = performContext?.GetJobParameter<int>(ScenarioJobStateFilterAttribute.RetryCountParameter, allowStale: true) ?? 0;
        await _delivery.DeliverAsync(taskInstanceId, statusUrl, priorAttempts + retryCount + 1, cancellationToken).ConfigureAwait(false);
    }
}
