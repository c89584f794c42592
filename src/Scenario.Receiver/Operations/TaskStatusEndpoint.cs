using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Request;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Operations;

/// <summary>
/// Answers what the receiver knows of a task, from job storage, so every instance gives the same answer:
/// the work job's Hangfire state and the terminal status Scenario received, if any. While the storage cannot
/// be read it answers 503 problem+json with Retry-After, as a RestCall is answered then: an operator's script
/// or a probe can tell "try again" from a bug, which a bare 500 does not say.
/// </summary>
internal static class TaskStatusEndpoint
{
    public static async Task<IResult> GetAsync(string taskInstanceId, ITaskStore records, JobLookup jobs, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(taskInstanceId, records, jobs, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away: nobody reads an answer.
            throw;
        }
#pragma warning disable CA1031 // Any storage failure (its exception types depend on the storage) gets the same answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TaskStatusNotRead(loggers.CreateLogger(typeof(TaskStatusEndpoint).FullName!), ex, taskInstanceId);
            return new StorageUnavailableResult(
                "The task status cannot be read now",
                "The job storage did not answer; the task's record is kept there. Ask again shortly.");
        }
    }

    private static async Task<IResult> ReadAsync(string taskInstanceId, ITaskStore records, JobLookup jobs, CancellationToken cancellationToken)
    {
        if (!TaskHeaderReader.IsCanonicalGuid(taskInstanceId, out _))
        {
            return Results.Problem(
                title: "Invalid task instance id",
                detail: "A task instance id is a GUID such as 364e21c2-25bf-497d-9583-3d359e7cbf91.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        // Canonical here, at the edge: a task id in any letter case finds the same task.
        taskInstanceId = TaskHeaderReader.Canonical(taskInstanceId);
        var record = await records.FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        if (record?.JobId is null)
        {
            return Results.Problem(
                title: "Unknown task",
                detail: $"No Scenario task {taskInstanceId} was accepted here (or its record has expired).",
                statusCode: StatusCodes.Status404NotFound);
        }

        return Results.Ok(new TaskStatusView(
            taskInstanceId,
            string.IsNullOrEmpty(record.WorkflowInstanceId) ? null : record.WorkflowInstanceId,
            record.EntryKey,
            record.AcceptedAt,
            record.JobId,
            jobs.StateName(record.JobId),
            record.ReportedStatus,
            record.ReportedAt,
            Deferred: record.DeferredUntil is not null && !record.IsSettled,
            DeferredUntil: record.DeferredUntil,
            CancelledByScenario: record.CancelledByScenarioAt is not null && record.Outcome is null,
            CancelledByScenarioAt: record.CancelledByScenarioAt));
    }
}
