using Hangfire.Common;
using Hangfire.States;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Turns the library's job exceptions into Hangfire states: <see cref="RetryLaterException"/> into
/// Scheduled after its delay, <see cref="WorkAbandonedException"/> into Deleted (the work is over; its
/// outcome was stored and reported before the exception). Any other failure stays Failed, visible in the dashboard.
/// It sits on the job methods (with <c>AutomaticRetry(Attempts = 0)</c>, which switches Hangfire's global
/// retries off for them), so it needs no global filter registration and no static state.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class ScenarioJobStateFilterAttribute : JobFilterAttribute, IElectStateFilter
{
    /// <summary>The job parameter that counts retries, read by the jobs to choose the next delay.</summary>
    internal const string RetryCountParameter = "ScenarioRetryCount";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed)
        {
            return;
        }

        switch (Unwrap(failed.Exception))
        {
            case RetryLaterException retry:
                var retryCount = context.GetJobParameter<int>(RetryCountParameter, allowStale: true);
                if (retry.CountsAsAttempt)
                {
                    context.SetJobParameter(RetryCountParameter, ++retryCount);
                }

                context.CandidateState = new ScheduledState(RetrySchedule.NotBefore(retry.Delay))
                {
                    Reason = retry.CountsAsAttempt
                        ? RetrySchedule.Reason(retryCount, retry)
                        : FormattableString.Invariant($"Again in {retry.Delay.TotalSeconds:0.#} s, not counted as an attempt: {retry.Message}"),
                };
                break;
            case WorkAbandonedException abandoned:
                context.CandidateState = new DeletedState { Reason = abandoned.Message };
                break;
        }
    }

    private static Exception? Unwrap(Exception? exception)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerException;
        }

        return exception;
    }
}
