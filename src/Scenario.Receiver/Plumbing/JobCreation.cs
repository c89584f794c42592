using Hangfire;
using Hangfire.Common;
using Hangfire.States;

namespace Scenario.Receiver.Plumbing;

/// <summary>Creates a task's jobs with their parameters (<see cref="TaskJobParameters"/>) in the same storage transaction as the job.</summary>
internal static class JobCreation
{
    public static string Create(IBackgroundJobClient jobs, Job job, IState state, IDictionary<string, object> parameters)
        => jobs is IBackgroundJobClientV2 withParameters
            ? withParameters.Create(job, state, parameters)
            : throw new InvalidOperationException(
                $"The registered IBackgroundJobClient ({jobs.GetType().Name}) cannot create jobs with parameters; register Hangfire's own BackgroundJobClient (AddHangfire does).");
}
