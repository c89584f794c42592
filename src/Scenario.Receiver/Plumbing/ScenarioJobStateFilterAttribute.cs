using Hangfire.Common;
using Hangfire.States;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Turns the library's job exceptions into Hangfire states: <see cref="RetryLaterException"/> into
/// Scheduled after its delay, <see cref="WorkAbandonedException"/> into Deleted (the work is over; its
/// outcome was stored and reported before the exception), and a work job's text result into its Succeeded state's reason. Any other failure stays Failed, visible in the dashboard.
/// It sits on the job methods, so it needs no global filter registration and no static state. It runs before Hangfire's
/// <c>AutomaticRetry</c> (its Order is lower): on the work and report jobs that attribute retries only what is left Failed
/// here, a failure outside the library's code (a filter's storage read before the job ran), at most
/// <see cref="RetriesOutsideTheJob"/> times; the other jobs set their own.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class ScenarioJobStateFilterAttribute : JobFilterAttribute, IElectStateFilter
{
    /// <summary>The job parameter that counts retries, read by the jobs to choose the next delay.</summary>
    internal const string RetryCountParameter = "ScenarioRetryCount";

    /// <summary>
    /// How many times Hangfire's <c>AutomaticRetry</c> runs a work or report job again after a failure outside the library's
    /// code, over about half an hour (5 s, 15 s, 30 s, 1 min, 2 min, then every 5 min), before the job stays Failed and the
    /// sweeper reports the task.
    /// </summary>
    internal const int RetriesOutsideTheJob = 10;

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is SucceededState { Result: string reason } succeeded)
        {
            // The work job's word on its task (ScenarioWorkJob.RunAsync's result): what the task waits for, what Scenario receives.
            succeeded.Reason = reason;
            return;
        }

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
