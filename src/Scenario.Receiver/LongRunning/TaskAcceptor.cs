using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// Accepts a task once. Under the task's distributed lock in job storage it either finds the task's
/// existing job (Scenario retried, a proxy replayed, another instance got the same call) or enqueues the
/// work job and records it.
/// </summary>
internal sealed class TaskAcceptor(
    IBackgroundJobClient jobs,
    TaskRecordStore records,
    StatusUrlPolicy statusUrlPolicy,
    ScenarioMetrics metrics,
    TimeProvider time,
    ILogger<TaskAcceptor> logger)
{
    /// <summary>Looked up once: building the job from an expression tree on every accept cost measurably (docs/benchmarks.md).</summary>
    private static readonly MethodInfo RunAsyncMethod = typeof(ScenarioWorkJob).GetMethod(nameof(ScenarioWorkJob.RunAsync))!;

    public AcceptedTask Accept(ILongRunningEntry entry, ScenarioTaskContext task, string argumentsJson, string? requestSnapshot)
    {
        var taskInstanceId = task.TaskInstanceId!;
        using var locked = records.LockForAccept(taskInstanceId);
        if (locked.Read() is { JobId: { } existingJobId } existing)
        {
            if (existing.EntryKey is { Length: > 0 } acceptedBy && !string.Equals(acceptedBy, entry.Key, StringComparison.Ordinal))
            {
                // One task, one endpoint: the same id at another endpoint is a caller's mistake, not a retry.
                Log.TaskIdReusedAtAnotherEndpoint(logger, taskInstanceId, entry.Key, acceptedBy);
                return new AcceptedTask(taskInstanceId, existingJobId) { IsDuplicate = true, AcceptedByOtherEntry = acceptedBy };
            }

            metrics.DuplicateTasks.Add(1);
            Log.DuplicateTask(logger, taskInstanceId, existingJobId);
            return new AcceptedTask(taskInstanceId, existingJobId) { IsDuplicate = true };
        }

        var queue = entry.Settings.Queue ?? EnqueuedState.DefaultQueue;
        var ambient = new TaskAmbient(
            task.WorkflowInstanceId,
            statusUrlPolicy.AllowedOrNull(task.TaskStatusUrl)?.AbsoluteUri,
            System.Diagnostics.Activity.Current?.Id);

        // One job per task. The terminal status is delivered by the work job itself when it ends; a report
        // job is created only when that delivery fails (to retry it) or when the work job is deleted before
        // it could report (ReportWhenDeletedAttribute).
        var workJobId = JobCreation.Create(
            jobs,
            new Job(typeof(ScenarioWorkJob), RunAsyncMethod, entry.Key, taskInstanceId, argumentsJson, null, CancellationToken.None),
            new EnqueuedState(queue),
            TaskJobParameters.For(taskInstanceId, ambient, requestSnapshot));

        locked.WriteAccepted(task.WorkflowInstanceId, workJobId, queue, entry.Key, time.GetUtcNow());
        metrics.AcceptedTasks.Add(1);
        Log.TaskAccepted(logger, taskInstanceId, entry.Key, workJobId);
        return new AcceptedTask(taskInstanceId, workJobId);
    }
}
