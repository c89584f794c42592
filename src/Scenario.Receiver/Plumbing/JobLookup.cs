using Hangfire;
using Hangfire.Storage;

namespace Scenario.Receiver.Plumbing;

/// <summary>What job storage says of one of a task's Hangfire jobs: its state.</summary>
internal sealed class JobLookup(JobStorage storage)
{
    /// <summary>A job's current state (name, reason, data), or null when the job is gone.</summary>
    public StateData? StateData(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId);
    }

    /// <summary>The name of the Hangfire state a job is in (Enqueued, Processing, Succeeded, …), or null when it is gone.</summary>
    public string? StateName(string jobId) => StateData(jobId)?.Name;

    /// <summary>The status URL a work job made by an earlier version carries (<see cref="TaskJobParameters.LegacyStatusUrl"/>).</summary>
    public string? LegacyStatusUrl(string jobId)
    {
        using var connection = storage.GetConnection();
        return TaskJobParameters.ReadLegacyStatusUrl(connection, jobId);
    }
}
