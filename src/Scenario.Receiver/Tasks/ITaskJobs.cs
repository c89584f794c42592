using Hangfire;
using Hangfire.States;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// The Hangfire jobs a task's lifecycle schedules besides its work: owned here, made where the jobs are
/// (Completion.TaskJobs), so that the lifecycle does not depend on the delivery and deferral code it hands work to.
/// </summary>
internal interface ITaskJobs
{
    /// <summary>
    /// The workflow goes with each job for the dashboard to show.
    /// Creates the job that delivers the task's terminal status, in <paramref name="state"/>; on <paramref name="storage"/>
    /// when given (a state filter's own storage), else on the host's.
    /// </summary>
    string CreateReportJob(string taskInstanceId, string? workflowInstanceId, int priorAttempts, IState state, JobStorage? storage = null);

    /// <summary>Schedules a deferred task's deadline at <paramref name="until"/>.</summary>
    string CreateDeadlineJob(string taskInstanceId, string? workflowInstanceId, TimeSpan deadline, DateTimeOffset until);

    /// <summary>Enqueues a report job now, from whatever state it is in (Scheduled for a retry, Failed after a refusal); says whether it moved.</summary>
    bool EnqueueNow(string reportJobId, string reason);

    /// <summary>Deletes a job while it is still Scheduled: a job that ran, or runs, keeps its state.</summary>
    void DeleteScheduled(string jobId);

    /// <summary>
    /// Deletes a job from whatever state it is in unless it has ended (Succeeded, Deleted, or gone), with
    /// <paramref name="reason"/> as the Deleted state's reason. Says the state it left, or null when it had ended.
    /// </summary>
    string? DeleteUnlessEnded(string jobId, string reason);
}
