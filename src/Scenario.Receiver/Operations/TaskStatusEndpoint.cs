using Microsoft.AspNetCore.Http;
using Scenario.Receiver.Jobs;

namespace Scenario.Receiver.Operations;

/// <summary>
/// Answers what the receiver knows of a task, from job storage, so every instance gives the same answer:
/// the work job's Hangfire state and the terminal status Scenario received, if any.
/// </summary>
internal static class TaskStatusEndpoint
{
    public static IResult Get(string taskInstanceId, TaskRecordStore records)
    {
        if (!TaskHeaderReader.IsCanonicalGuid(taskInstanceId, out _))
        {
            return Results.Problem(
                title: "Invalid task instance id",
                detail: "A task instance id is a GUID such as 364e21c2-25bf-497d-9583-3d359e7cbf91.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var record = records.Find(taskInstanceId);
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
            records.JobState(record.JobId),
            record.ReportedStatus,
            record.ReportedAt));
    }
}
