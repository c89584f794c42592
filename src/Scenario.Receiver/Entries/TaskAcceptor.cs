using Hangfire.States;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Entries;

/// <summary>
/// Accepts a task once: the task's lifecycle (<see cref="TaskLifecycle.AcceptAsync"/>) either finds the task's existing job
/// (Scenario retried, a proxy replayed, another instance got the same call) or has the work job enqueued here
/// (<see cref="IWorkJobs"/>) and records it.
/// </summary>
internal sealed class TaskAcceptor(
    IWorkJobs workJobs,
    TaskLifecycle lifecycle,
    ScenarioMetrics metrics,
    ILogger<TaskAcceptor> logger)
{
    /// <summary>Accepts the task; <paramref name="cancellationToken"/> ends a wait for a concurrent accept of it (the caller went away).</summary>
    public async ValueTask<AcceptedTask> AcceptAsync(ILongRunningEntry entry, ScenarioTaskContext task, string argumentsJson, string? requestSnapshot, CancellationToken cancellationToken = default)
    {
        var taskInstanceId = task.TaskInstanceId!;
        var queue = entry.Settings.Queue ?? EnqueuedState.DefaultQueue;
        var acceptance = await lifecycle.AcceptAsync(
            taskInstanceId, entry.Key, task.WorkflowInstanceId, task.TaskStatusUrl, queue, () => workJobs.CreateAsync(entry.Key, task.TaskInstanceId!, task.WorkflowInstanceId, queue, argumentsJson, requestSnapshot), cancellationToken).ConfigureAwait(false);
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
}
