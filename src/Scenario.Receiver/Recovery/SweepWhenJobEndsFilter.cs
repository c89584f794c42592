using Hangfire.States;
using Hangfire.Storage;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Recovery;

/// <summary>
/// Makes a task due for the sweeper at once when its work job or its report job ends Failed or Deleted: the states after
/// which nothing may report the task any more. The sweeper visits only due tasks, so what needs attention is found in its
/// next round, while a healthy task waits a horizon between looks (<see cref="ScenarioReceiverOptions.SweepHorizon"/>).
/// </summary>
/// <remarks>
/// Built with the host's services and handed to Hangfire by <see cref="ScenarioJobFilterProvider"/>, as
/// <see cref="ReportWhenDeletedFilter"/> is; writes through the lifecycle, synchronously in Hangfire's state change.
/// </remarks>
internal sealed class SweepWhenJobEndsFilter(Lazy<TaskLifecycle> lifecycle) : IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not (FailedState or DeletedState))
        {
            return;
        }

        if (TaskJobArguments.TaskInstanceIdOf(context.BackgroundJob, context.Connection) is { } taskInstanceId)
        {
            lifecycle.Value.MarkDueForSweep(context, transaction, taskInstanceId);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
