using System.Globalization;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Completion;

/// <summary>
/// Makes the jobs <see cref="TaskLifecycle"/> schedules: report jobs and a deferred task's deadline.
/// Each takes the task's id as its argument, and carries the trace it continues in its job parameter (<see cref="TaskJobParameters"/>).
/// </summary>
internal sealed class TaskJobs(IBackgroundJobClient jobs, IJobFilterProvider filters, JobLookup lookup) : ITaskJobs
{
    /// <summary>
    /// It runs from <see cref="ScenarioReportingOptions.ReportQueue"/> whatever queue an <see cref="EnqueuedState"/> names
    /// (<see cref="ScenarioReportJob"/>'s <c>Queue</c> attribute), so deliveries never wait behind the work. On a state
    /// filter's storage, the client is built there with the host's filters: no static configuration of Hangfire's.
    /// </summary>
    public string CreateReportJob(string taskInstanceId, string? workflowInstanceId, int priorAttempts, IState state, JobStorage? storage = null)
        => JobCreation.Create(
            storage is null ? jobs : new BackgroundJobClient(storage, filters),
            Job.FromExpression<ScenarioReportJob>(report => report.DeliverAsync(taskInstanceId, priorAttempts, null, CancellationToken.None)),
            state,
            TaskJobParameters.For(workflowInstanceId));

    public string CreateDeadlineJob(string taskInstanceId, string? workflowInstanceId, TimeSpan deadline, DateTimeOffset until)
    {
        var deadlineText = deadline.ToString("c", CultureInfo.InvariantCulture);
        return JobCreation.Create(
            jobs,
            Job.FromExpression<ScenarioDeferralJob>(job => job.ExpireAsync(taskInstanceId, deadlineText, null)),
            new ScheduledState(until.UtcDateTime) { Reason = $"The deadline of the deferred task: Error 504 unless it is completed by {until:O}." },
            TaskJobParameters.For(workflowInstanceId));
    }

    public bool EnqueueNow(string reportJobId, string reason)
        => jobs.ChangeState(reportJobId, new EnqueuedState(ScenarioReportingOptions.ReportQueue) { Reason = reason }, expectedState: null);

    public void DeleteScheduled(string jobId) => jobs.Delete(jobId, ScheduledState.StateName);

    public string? DeleteUnlessEnded(string jobId, string reason)
    {
        // From the state just read, so that a job that ends meanwhile keeps its end; read again when it moved on (a worker
        // took it from Enqueued, a retry came due), a few times: past that it is moving too fast to be running for long.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var state = lookup.StateName(jobId);
            if (state is null || state == SucceededState.StateName || state == DeletedState.StateName)
            {
                return null;
            }

            if (jobs.ChangeState(jobId, new DeletedState { Reason = reason }, state))
            {
                return state;
            }
        }

        return null;
    }
}
