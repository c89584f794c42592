using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Work;

/// <summary>Makes the progress reporter of one run of a task's work, with what every reporter shares.</summary>
internal sealed class ProgressReporterFactory(
    ScenarioStatusClient client,
    TaskLifecycle lifecycle,
    TimeProvider time,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<ProgressReporter> logger)
{
    /// <param name="taskInstanceId">The task.</param>
    /// <param name="statusUrl">The status URL in the task's record: checked against the allow-list when the task was accepted.</param>
    public ProgressReporter Create(string taskInstanceId, string? statusUrl)
        => new(
            taskInstanceId,
            statusUrl is null ? null : new Uri(statusUrl),
            client,
            lifecycle,
            time,
            options.Value.Reporting,
            logger,
            options.Value.MaxMessageLength);
}
