using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Makes sure Scenario hears of a work job deleted before it reported: from the dashboard while it was
/// queued, scheduled for a retry, failed or running. Such a task has no outcome in its record, so a report
/// job is created, which tells Scenario the work was cancelled. A work job that ended by itself stored its
/// outcome first and reports on its own, so its deletion (after a timeout or its last retry) adds nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class ReportWhenDeletedAttribute : JobFilterAttribute, IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not DeletedState)
        {
            return;
        }

        var jobId = context.BackgroundJob.Id;
        if (TaskJobParameters.Read(context.Connection, jobId, TaskJobParameters.TaskInstanceId) is not { } taskInstanceId)
        {
            return;
        }

        var store = TaskStoresByStorage.For(context.Storage);
        var record = store is null ? HangfireTaskStore.Read(context.Connection, taskInstanceId) : store.FindDuringStateChange(context, taskInstanceId);
        // A deferred task waits for its completion or deadline; one Scenario cancelled gets nothing.
        if (record is null || record.IsSettled || record.DeferredUntil is not null)
        {
            return;
        }

        var reportJobId = TerminalStatusDelivery.CreateReportJob(
            new BackgroundJobClient(context.Storage),
            taskInstanceId,
            TaskJobParameters.Read(context.Connection, jobId),
            priorAttempts: 0,
            new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = "The work job was deleted before it reported: Scenario hears it was cancelled." });
        if (store is null)
        {
            // In the deletion's own transaction, where the storage is the task store.
            transaction.SetRangeInHash(HangfireTaskStore.Key(taskInstanceId), [new(HangfireTaskStore.ReportJobIdField, reportJobId)]);
        }
        else
        {
            store.WriteReportJobDuringStateChange(context, transaction, taskInstanceId, reportJobId);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
