using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Reporting;

using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Operations;

/// <summary>
/// Tells an operator what stands between accepted tasks and their terminal status, counted in the job
/// storage so every instance gives the same answer: Unhealthy (or the registration's failure status) when
/// the job storage cannot be reached or Scenario's TaskStatus service does not answer its ServiceStatus
/// probe with 204; Degraded while tasks wait for the sweeper's recovery, or more statuses than the
/// threshold wait for delivery; Healthy otherwise.
/// </summary>
internal sealed class ScenarioHealthCheck : IHealthCheck
{
    private readonly ScenarioStatusClient _client;
    private readonly ITaskStore _records;
    private readonly long _undeliveredThreshold;

    public ScenarioHealthCheck(ScenarioStatusClient client, ITaskStore records, long undeliveredThreshold)
    {
        _client = client;
        _records = records;
        _undeliveredThreshold = undeliveredThreshold;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        (long Undelivered, long Recovering, long Unreported) waiting;
        try
        {
            waiting = _records.CountWaiting();
        }
#pragma warning disable CA1031 // Whatever the storage throws (its exception types vary), it cannot be reached.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The Hangfire job storage cannot be reached ({ex.Message}): no task is accepted (new RestCalls get 503), worked or reported until it answers. Check the storage's server and connection string; finished work waits and is reported once it is back.",
                ex);
        }

        var data = new Dictionary<string, object>
        {
            ["undeliveredStatuses"] = waiting.Undelivered,
            ["tasksAwaitingRecovery"] = waiting.Recovering,
            ["tasksNotYetReported"] = waiting.Unreported,
        };

        HttpStatusCode answer;
        try
        {
            answer = await _client.GetServiceStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Scenario's TaskStatus service cannot be reached: {ex.Message}", data: data);
        }

        if (answer != HttpStatusCode.NoContent)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Scenario's TaskStatus service answered {(int)answer} to its ServiceStatus probe, not 204.", data: data);
        }

        var backlog = new List<string>(2);
        if (waiting.Recovering > 0)
        {
            backlog.Add($"{waiting.Recovering} tasks whose job ended without reporting are being recovered by the sweeper (Warnings 1701 in the log name them)");
        }

        if (waiting.Undelivered > _undeliveredThreshold)
        {
            backlog.Add($"{waiting.Undelivered} terminal statuses wait for delivery to Scenario (threshold {_undeliveredThreshold}; their report jobs in the Hangfire dashboard say why)");
        }

        return backlog.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", backlog) + ".", data: data)
            : HealthCheckResult.Healthy("Scenario's TaskStatus service is up.", data);
    }
}
