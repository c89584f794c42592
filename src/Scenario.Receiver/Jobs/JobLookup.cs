using Hangfire;
using Hangfire.Storage;

namespace Scenario.Receiver.Jobs;

/// <summary>What job storage says of one of a task's Hangfire jobs: its state, and the ambient values it was created with.</summary>
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

    /// <summary>The ambient values (workflow, allowed status URL, trace) a job of the task was created with; none when the job is gone.</summary>
    public TaskAmbient Ambient(string jobId)
    {
        using var connection = storage.GetConnection();
        return TaskJobParameters.Read(connection, jobId);
    }
}
