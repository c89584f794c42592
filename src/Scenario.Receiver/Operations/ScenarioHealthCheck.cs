using System.Net;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Operations;

/// <summary>
/// Tells an operator what stands between accepted tasks and their terminal status, counted in the job
/// storage so every instance gives the same answer: Unhealthy (or the registration's failure status) when
/// the job storage cannot be reached or Scenario's TaskStatus service does not answer its ServiceStatus
/// probe with 204 within <see cref="ScenarioReceiverOptions.HealthCheckTimeout"/>; Degraded while Scenario answers
/// redirects (which are never followed), tasks wait for the sweeper's recovery, or more statuses than the threshold
/// wait for delivery; Healthy otherwise.
/// </summary>
internal sealed class ScenarioHealthCheck : IHealthCheck
{
    /// <summary>A set no one writes: reading it is the cheapest question every Hangfire storage answers.</summary>
    private const string StorageProbeKey = "scenario:health-probe";

    /// <summary>What the check says while Scenario answers redirects: the receiver follows none, so nothing gets through.</summary>
    internal const string RedirectsDescription = "Scenario answers redirects: check Scenario:BaseUrl";

    private readonly ScenarioStatusClient _client;
    private readonly ITaskStore _records;
    private readonly JobStorage _storage;
    private readonly ScenarioRedirects _redirects;
    private readonly long _undeliveredThreshold;

    public ScenarioHealthCheck(ScenarioStatusClient client, ScenarioRedirects redirects, ITaskStore records, JobStorage storage, long undeliveredThreshold)
    {
        _client = client;
        _redirects = redirects;
        _records = records;
        _storage = storage;
        _undeliveredThreshold = undeliveredThreshold;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        (long Undelivered, long Recovering, long Unreported) waiting;
        try
        {
            if (_records is not HangfireTaskStore)
            {
                // The counts come from the task store; the jobs that work and report the tasks are in Hangfire's storage.
                using var connection = _storage.GetConnection();
                _ = connection.GetAllItemsFromSet(StorageProbeKey);
            }
        }
#pragma warning disable CA1031 // Whatever the storage throws (its exception types vary), it cannot be reached.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Unreachable(context, "The Hangfire job storage", ex);
        }

        try
        {
            waiting = await _records.CountWaitingAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above, for the store the records are in.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Unreachable(context, _records.Description, ex);
        }

        var data = new Dictionary<string, object>
        {
            ["undeliveredStatuses"] = waiting.Undelivered,
            ["tasksAwaitingRecovery"] = waiting.Recovering,
            ["tasksNotYetReported"] = waiting.Unreported,
        };

        HttpStatusCode answer;
        string? location;
        try
        {
            (answer, location) = await _client.GetServiceStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Scenario's TaskStatus service cannot be reached: {ex.Message}", data: data);
        }

        var redirect = _redirects.Latest;
        if ((int)answer is >= 300 and < 400)
        {
            // Scenario is there, behind something that redirects: not a restart's business (Unhealthy would have a
            // liveness probe restart a healthy pod), but nothing reaches Scenario until BaseUrl is fixed.
            data["redirect"] = $"{(int)answer} {location ?? "(no Location header)"} (ServiceStatus probe)";
            return HealthCheckResult.Degraded(RedirectsDescription + ".", data: data);
        }

        if (answer != HttpStatusCode.NoContent)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Scenario's TaskStatus service answered {(int)answer} to its ServiceStatus probe, not 204.", data: data);
        }

        var backlog = new List<string>(3);
        if (redirect is not null)
        {
            data["redirect"] = $"{redirect.StatusCode} {redirect.LocationText} ({(redirect.Request == ScenarioRequestKind.StatusPost ? "status post" : "cancellation question")} at {redirect.At:O})";
            backlog.Add(RedirectsDescription);
        }

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

    private static HealthCheckResult Unreachable(HealthCheckContext context, string what, Exception ex)
        => new(
            context.Registration.FailureStatus,
            $"{what} cannot be reached ({ex.Message}): no task is accepted (new RestCalls get 503), worked or reported until it answers. Check the storage's server and connection string; finished work waits and is reported once it is back.",
            ex);
}
