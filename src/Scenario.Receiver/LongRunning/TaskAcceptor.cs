using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// Accepts a task once: the task's lifecycle (<see cref="TaskLifecycle.AcceptAsync"/>) either finds the task's existing job
/// (Scenario retried, a proxy replayed, another instance got the same call) or has the work job enqueued here
/// and records it.
/// </summary>
internal sealed class TaskAcceptor(
    IBackgroundJobClient jobs,
    TaskLifecycle lifecycle,
    ScenarioMetrics metrics,
    ILogger<TaskAcceptor> logger)
{
    /// <summary>Looked up once: building the job from an expression tree on every accept cost measurably (docs/benchmarks.md).</summary>
    private static readonly MethodInfo RunAsyncMethod = typeof(ScenarioWorkJob).GetMethod(nameof(ScenarioWorkJob.RunAsync))!;

    /// <summary>Accepts the task; <paramref name="cancellationToken"/> ends a wait for a concurrent accept of it (the caller went away).</summary>
    public async ValueTask<AcceptedTask> AcceptAsync(ILongRunningEntry entry, ScenarioTaskContext task, string argumentsJson, string? requestSnapshot, CancellationToken cancellationToken = default)
    {
        var taskInstanceId = task.TaskInstanceId!;
        var queue = entry.Settings.Queue ?? EnqueuedState.DefaultQueue;
        var acceptance = await lifecycle.AcceptAsync(
            taskInstanceId, entry.Key, task.WorkflowInstanceId, task.TaskStatusUrl, queue, () => CreateWorkJob(entry, task, queue, argumentsJson, requestSnapshot), cancellationToken).ConfigureAwait(false);
        if (acceptance.IsDuplicate)
        {
            if (acceptance.AcceptedByEntry is { Length: > 0 } acceptedBy && !string.Equals(acceptedBy, entry.Key, StringComparison.Ordinal))
            {
                // One task, one endpoint: the same id at another endpoint is a caller's mistake, not a retry.
                Log.TaskIdReusedAtAnotherEndpoint(logger, taskInstanceId, entry.Key, acceptedBy);
                return new AcceptedTask(taskInstanceId, acceptance.JobId) { IsDuplicate = true, AcceptedByOtherEntry = acceptedBy };
            }

            metrics.DuplicateTasks.Add(1);
            Log.DuplicateTask(logger, taskInstanceId, acceptance.JobId);
            return new AcceptedTask(taskInstanceId, acceptance.JobId) { IsDuplicate = true };
        }

        metrics.AcceptedTasks.Add(1);
        Log.TaskAccepted(logger, taskInstanceId, entry.Key, acceptance.JobId);
        return new AcceptedTask(taskInstanceId, acceptance.JobId);
    }

    /// <summary>
    /// One job per task. The terminal status is delivered by the work job itself when it ends; a report job is
    /// created only when that delivery fails (to retry it) or when the work job is deleted before it could
    /// report (<see cref="ReportWhenDeletedFilter"/>).
    /// </summary>
    private string CreateWorkJob(ILongRunningEntry entry, ScenarioTaskContext task, string queue, string argumentsJson, string? requestSnapshot)
        => JobCreation.Create(
            jobs,
            new Job(typeof(ScenarioWorkJob), RunAsyncMethod, entry.Key, task.TaskInstanceId!, argumentsJson, null, CancellationToken.None),
            new EnqueuedState(queue),
            TaskJobParameters.For(task.TaskInstanceId!, task.WorkflowInstanceId, requestSnapshot));
}
