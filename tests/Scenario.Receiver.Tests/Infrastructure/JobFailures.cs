using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>Makes a job Failed by hand, as the tests of what follows a failed job need it.</summary>
public static class JobFailures
{
    /// <summary>
    /// Moves a work or report job to Failed as Hangfire leaves it once its automatic retries are spent (the state the sweeper
    /// acts on): a plain change to Failed would be elected to another retry by the job's <c>AutomaticRetry</c>.
    /// </summary>
    public static bool FailAfterItsRetries(this IBackgroundJobClient jobs, JobStorage storage, string jobId, Exception exception, string fromState)
    {
        using (var connection = storage.GetConnection())
        {
            connection.SetJobParameter(jobId, "RetryCount", SerializationHelper.Serialize(ScenarioJobStateFilterAttribute.RetriesOutsideTheJob));
        }

        return jobs.ChangeState(jobId, new FailedState(exception), fromState);
    }
}
