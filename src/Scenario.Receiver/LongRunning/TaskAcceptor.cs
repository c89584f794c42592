using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// Accepts a task once. Under the task's distributed lock in job storage it either finds the task's
/// existing job (Scenario retried, a proxy replayed, another instance got the same call) or enqueues the
/// work job, attaches the report job as its continuation, and records both.
/// </summary>
internal sealed class TaskAcceptor
{
    private readonly IBackgroundJobClient _jobs;
    private readonly TaskRecordStore _records;
    private readonly StatusUrlPolicy _statusUrlPolicy;
    private readonly TimeProvider _time;
    private readonly ILogger<TaskAcceptor> _logger;

    public TaskAcceptor(IBackgroundJobClient jobs, TaskRecordStore records, StatusUrlPolicy statusUrlPolicy, TimeProvider time, ILogger<TaskAcceptor> logger)
    {
        _jobs = jobs;
        _records = records;
        _statusUrlPolicy = statusUrlPolicy;
        _time = time;
        _logger = logger;
    }

    public AcceptedTask Accept(LongRunningAction action, ScenarioTaskContext task, string argumentsJson)
    {
        var taskInstanceId = task.TaskInstanceId!;
        using var locked = _records.LockForAccept(taskInstanceId);
        if (locked.Read() is { JobId: { } existingJobId })
        {
            ScenarioTelemetry.DuplicateTasks.Add(1);
            Log.DuplicateTask(_logger, taskInstanceId, existingJobId);
            return new AcceptedTask(taskInstanceId, existingJobId) { IsDuplicate = true };
        }

        var workflowInstanceId = task.WorkflowInstanceId;
        var statusUrl = _statusUrlPolicy.AllowedOrNull(task.TaskStatusUrl)?.AbsoluteUri;
        var queue = action.Attribute.Queue ?? EnqueuedState.DefaultQueue;
        var traceParent = System.Diagnostics.Activity.Current?.Id;

        // Created held back and enqueued once its report job is attached: see AcceptingState.
        var workJobId = _jobs.Create<ScenarioWorkJob>(
            job => job.RunAsync(action.Key, taskInstanceId, workflowInstanceId, statusUrl, argumentsJson, traceParent, null, CancellationToken.None),
            new AcceptingState());

        // A continuation fires when the work job ends Succeeded or Deleted (retries exhausted, timed out,
        // deleted from the dashboard): Scenario hears of every end. If the work already finished, Hangfire
        // enqueues the continuation at once.
        var reportJobId = _jobs.ContinueJobWith<ScenarioReportJob>(
            workJobId,
            job => job.DeliverAsync(taskInstanceId, workflowInstanceId, statusUrl, traceParent, null, CancellationToken.None),
            new EnqueuedState(queue),
            JobContinuationOptions.OnAnyFinishedState);
        _jobs.ChangeState(workJobId, new EnqueuedState(queue), AcceptingState.StateName);

        locked.WriteAccepted(workflowInstanceId, workJobId, reportJobId, action.Key, _time.GetUtcNow());
        ScenarioTelemetry.AcceptedTasks.Add(1);
        Log.TaskAccepted(_logger, taskInstanceId, action.Key, workJobId);
        return new AcceptedTask(taskInstanceId, workJobId);
    }
}
