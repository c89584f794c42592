using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Reporting;

/// <summary>Makes the progress reporter of one run of a task's work, with what every reporter shares.</summary>
internal sealed class ProgressReporterFactory(
    ScenarioStatusClient client,
    StatusUrlPolicy statusUrlPolicy,
    ITaskStore records,
    TimeProvider time,
    IOptions<ScenarioReceiverOptions> options,
    ILogger<ProgressReporter> logger)
{
    public ProgressReporter Create(string taskInstanceId, string? statusUrl)
        => new(
            taskInstanceId,
            statusUrlPolicy.AllowedOrNull(statusUrl is null ? null : new Uri(statusUrl)),
            client,
            records,
            time,
            options.Value.Reporting,
            logger,
            options.Value.MaxMessageLength);
}
