using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.Operations;

/// <summary>
/// Healthy when Scenario's TaskStatus service answers its ServiceStatus probe with 204 and few statuses
/// wait for delivery; Degraded when undelivered statuses pile up beyond the threshold; Unhealthy (or the
/// registration's failure status) when Scenario cannot be reached.
/// </summary>
internal sealed class ScenarioHealthCheck : IHealthCheck
{
    private readonly ScenarioStatusClient _client;
    private readonly TaskRecordStore _records;
    private readonly long _undeliveredThreshold;

    public ScenarioHealthCheck(ScenarioStatusClient client, TaskRecordStore records, long undeliveredThreshold)
    {
        _client = client;
        _records = records;
        _undeliveredThreshold = undeliveredThreshold;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HttpStatusCode answer;
        try
        {
            answer = await _client.GetServiceStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Scenario's TaskStatus service cannot be reached: {ex.Message}");
        }

        if (answer != HttpStatusCode.NoContent)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Scenario's TaskStatus service answered {(int)answer} to its ServiceStatus probe, not 204.");
        }

        var undelivered = _records.CountUndelivered();
        var data = new Dictionary<string, object> { ["undeliveredStatuses"] = undelivered };
        return undelivered > _undeliveredThreshold
            ? HealthCheckResult.Degraded($"{undelivered} terminal statuses wait for delivery to Scenario (threshold {_undeliveredThreshold}).", data: data)
            : HealthCheckResult.Healthy("Scenario's TaskStatus service is up.", data);
    }
}
