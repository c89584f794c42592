using Hangfire.States;
using Hangfire.Storage;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Recovery;

/// <summary>
/// Makes sure Scenario hears of a work job deleted before it reported: from the dashboard while it was
/// queued, scheduled for a retry, failed or running. Such a task has no outcome in its record, so a report
/// job is created, which tells Scenario the work was cancelled. A work job that ended by itself stored its
/// outcome first and reports on its own, so its deletion (after a timeout or its last retry) adds nothing.
/// </summary>
/// <remarks>
/// Built with the host's services and handed to Hangfire by <see cref="ScenarioJobFilterProvider"/>, so it goes through the
/// host's own <see cref="TaskLifecycle"/> (resolved on first use: the lifecycle's job client needs the filter provider
/// this filter is part of), never a store found through the storage. Hangfire applies states synchronously, inside its
/// own storage transaction: the lifecycle reads and writes through the store's synchronous state-change members
/// (<see cref="ITaskStore.FindDuringStateChange"/>), which wait for no lock of ours.
/// </remarks>
internal sealed class ReportWhenDeletedFilter(Lazy<TaskLifecycle> lifecycle) : IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not DeletedState)
        {
            return;
        }

        if (TaskJobArguments.TaskInstanceIdOf(context.BackgroundJob, context.Connection) is { } taskInstanceId)
        {
            lifecycle.Value.HandOffDeletedWork(context, transaction, taskInstanceId);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
