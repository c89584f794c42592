using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Keeps a finished job (Succeeded or Deleted) for <see cref="Expiration"/> instead of Hangfire's default day. On the
/// cancellation checks of deferred tasks: each task asks Scenario every poll interval, one job per question, and
/// with a day's expiration 2,000 deferred tasks kept about 4,000 finished jobs more a minute (12 MB a minute on
/// Hangfire.InMemory). A finished check holds nothing worth reading later: what it found is in the task's record.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class ExpireSoonWhenFinishedAttribute : JobFilterAttribute, IApplyStateFilter
{
    /// <summary>How long a finished job stays in storage, and on the dashboard.</summary>
    internal static readonly TimeSpan Expiration = TimeSpan.FromMinutes(1);

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        // Hangfire expires the job with this timeout when the new state is final, and persists it otherwise.
        if (context.NewState.IsFinal)
        {
            context.JobExpirationTimeout = Expiration;
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
