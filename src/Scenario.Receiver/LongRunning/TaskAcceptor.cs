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
/// work job and records it.
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

        // One job per task. The terminal status is delivered by the work job itself when it ends; a report
        // job is created only when that delivery fails (to retry it) or when the work job is deleted before
        // it could report (ReportWhenDeletedAttribute).
        var workJobId = _jobs.Create<ScenarioWorkJob>(
            job => job.RunAsync(action.Key, taskInstanceId, workflowInstanceId, statusUrl, argumentsJson, traceParent, null, CancellationToken.None),
            new EnqueuedState(queue));

        locked.WriteAccepted(workflowInstanceId, workJobId, queue, action.Key, _time.GetUtcNow());
        ScenarioTelemetry.AcceptedTasks.Add(1);
        Log.TaskAccepted(_logger, taskInstanceId, action.Key, workJobId);
        return new AcceptedTask(taskInstanceId, workJobId);
    }
}
