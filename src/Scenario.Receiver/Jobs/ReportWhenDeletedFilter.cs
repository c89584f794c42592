using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// Makes sure Scenario hears of a work job deleted before it reported: from the dashboard while it was
/// queued, scheduled for a retry, failed or running. Such a task has no outcome in its record, so a report
/// job is created, which tells Scenario the work was cancelled. A work job that ended by itself stored its
/// outcome first and reports on its own, so its deletion (after a timeout or its last retry) adds nothing.
/// </summary>
/// <remarks>
/// Built with the host's services and handed to Hangfire by <see cref="ScenarioJobFilterProvider"/>, so it reads the
/// host's own task store, never one found through the storage. Hangfire applies states synchronously, inside its own
/// storage transaction: the store is read and written through its synchronous state-change members
/// (<see cref="ITaskStore.FindDuringStateChange"/>), which wait for no lock of ours.
/// </remarks>
internal sealed class ReportWhenDeletedFilter(ITaskStore records, IJobFilterProvider filters) : IApplyStateFilter
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

        var record = records.FindDuringStateChange(context, taskInstanceId);
        // A deferred task waits for its completion or deadline; one Scenario cancelled gets nothing.
        if (record is null || record.IsSettled || record.DeferredUntil is not null)
        {
            return;
        }

        // A client on the state change's storage with the host's filters: no static configuration of Hangfire's.
        var reportJobId = TerminalStatusDelivery.CreateReportJob(
            new BackgroundJobClient(context.Storage, filters),
            taskInstanceId,
            TaskJobParameters.Read(context.Connection, jobId),
            priorAttempts: 0,
            new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = "The work job was deleted before it reported: Scenario hears it was cancelled." });
        records.WriteReportJobDuringStateChange(context, transaction, taskInstanceId, reportJobId);
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
