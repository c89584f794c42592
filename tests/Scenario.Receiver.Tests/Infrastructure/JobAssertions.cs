using Hangfire;
using Hangfire.Storage.Monitoring;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>Reads what a test host's Hangfire storage holds.</summary>
public static class JobAssertions
{
    /// <summary>Every job ever created in the storage, whatever its state.</summary>
    public static long TotalJobs(this JobStorage storage)
    {
        var stats = storage.GetMonitoringApi().GetStatistics();
        return stats.Enqueued + stats.Scheduled + stats.Processing + stats.Succeeded + stats.Failed + stats.Deleted + (stats.Awaiting ?? 0);
    }

    public static JobDetailsDto? JobDetails(this JobStorage storage, string jobId) => storage.GetMonitoringApi().JobDetails(jobId);

    public static string? StateOf(this JobStorage storage, string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
