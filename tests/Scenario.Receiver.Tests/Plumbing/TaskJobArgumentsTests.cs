using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Tests.Plumbing;

/// <summary>
/// The task a job belongs to is read from the job's own arguments: on each of the library's task jobs, on no other job, and
/// from the job parameter of an earlier version only for a job Hangfire cannot load.
/// </summary>
public sealed class TaskJobArgumentsTests
{
    private const string TaskId = "3f0c2a54-8f64-4d47-9a53-2a1f4b0c9d11";

    [Fact]
    public void TaskJobs_TheirTaskIsTheirTaskInstanceIdArgument()
    {
        var work = Job.FromExpression<ScenarioWorkJob>(job => job.RunAsync("Orders.Close", TaskId, "{}", null, CancellationToken.None));
        var report = Job.FromExpression<ScenarioReportJob>(job => job.DeliverAsync(TaskId, 1, null, CancellationToken.None));
        var deadline = Job.FromExpression<ScenarioDeferralJob>(job => job.ExpireAsync(TaskId, "00:10:00", null));
        var earlierCheck = Job.FromExpression<ScenarioDeferralJob>(job => job.CheckCancellationAsync(TaskId, null, CancellationToken.None));

        Assert.All(new[] { work, report, deadline, earlierCheck }, job => Assert.Equal(TaskId, TaskJobArguments.TaskInstanceIdOf(job)));
    }

    [Fact]
    public void ApplicationJobWithATaskInstanceIdArgument_BelongsToNoTask()
    {
        var own = Job.FromExpression(() => ApplicationJobs.Close(TaskId));

        Assert.Null(TaskJobArguments.TaskInstanceIdOf(own));
        Assert.Null(TaskJobArguments.TaskInstanceIdOf(Job.FromExpression<ScenarioSweepJob>(job => job.SweepAsync(CancellationToken.None))));
    }

    [Fact]
    public void JobHangfireCannotLoad_ItsTaskIsReadFromTheEarlierParameter()
    {
        var storage = new InMemoryStorage();
        using var connection = storage.GetConnection();
        var jobId = connection.CreateExpiredJob(
            Job.FromExpression(() => ApplicationJobs.Close(TaskId)),
            new Dictionary<string, string> { [TaskJobParameters.Name] = SerializationHelper.Serialize($"{{\"taskInstanceId\":\"{TaskId}\",\"workflowInstanceId\":\"wf-1\"}}") },
            DateTime.UtcNow,
            TimeSpan.FromMinutes(5));

        var unloadable = new BackgroundJob(jobId, job: null, DateTime.UtcNow);

        Assert.Equal(TaskId, TaskJobArguments.TaskInstanceIdOf(unloadable, connection));
    }

}

/// <summary>An application's own job, whose argument happens to be named as the library's are.</summary>
public static class ApplicationJobs
{
    public static void Close(string taskInstanceId) => Assert.NotNull(taskInstanceId);
}
