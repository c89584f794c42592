using Hangfire.Common;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Cancellation;

/// <summary>
/// Deferred tasks are asked about by one batched check per storage, not by a job per task per interval: each is asked,
/// the questions reach Scenario at most <c>Scenario:Cancellation:MaxQueriesPerSecond</c> a second, and no job exists
/// besides each task's work and deadline.
/// </summary>
public abstract class DeferredCancellationCheckTests(TaskStoreUnderTest store) : StandInTest
{
    private const int Tasks = 12;
    private const double Rate = 4;

    [Fact]
    public async Task ManyDeferredTasks_AreEachAskedByTheBatchedCheck_AtMostTheRateASecond_WithNoJobPerTask()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(DeferringController)],
            new()
            {
                ["Scenario:Cancellation:PollInterval"] = "00:00:01",
                ["Scenario:Cancellation:MaxQueriesPerSecond"] = "4",
            });
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Tasks; i++)
        {
            ids.Add((await host.RestCall.PostAsync("/deferring/defer/600000", null)).TaskInstanceId);
        }

        await Scenario.WaitForCancellationQueriesAsync(q => ids.All(id => q.Any(x => x.TaskInstanceId == id)), Await.DefaultTimeout);

        var received = Scenario.CancellationQueries.Where(q => ids.Contains(q.TaskInstanceId)).Select(q => q.ReceivedAt).Order().ToList();
        var firstQuestions = ids.Select(id => Scenario.CancellationQueriesFor(id).Min(q => q.ReceivedAt)).Order().ToList();

        // Spread: from the second on, eleven first questions at four a second span at least ten quarters of a second (less
        // the clock's grain). Not from the first: it opens the connection to Scenario, which on a loaded machine took
        // long enough (CI: the twelve spanned 2.58 s against 2.75) to arrive closer to the next than it was sent.
        var span = firstQuestions[^1] - firstQuestions[1];
        Assert.True(span >= TimeSpan.FromSeconds((Tasks - 2) / Rate) - TimeSpan.FromMilliseconds(100), $"the first questions from the second on spanned {span}");

        // And bounded: no second holds more than the rate (one more at a window's edges).
        var busiest = received.Max(start => received.Count(at => at >= start && at < start + TimeSpan.FromSeconds(1)));
        Assert.True(busiest <= Rate + 1, $"{busiest} questions within one second: {string.Join(", ", received.Select(at => (at - received[0]).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");

        // No job of its own: each task has its work job and its deadline, nothing else.
        var jobs = AllJobs(host);
        Assert.DoesNotContain(jobs, job => job.Method.Name == "CheckCancellationAsync");
        Assert.All(ids, id => Assert.Equal(2, jobs.Count(job => job.Args.Contains(id))));
    }

    private static List<Job> AllJobs(ReceiverTestHost host)
    {
        var monitoring = host.Storage.GetMonitoringApi();
        IEnumerable<Job?> jobs =
        [
            .. monitoring.ScheduledJobs(0, int.MaxValue).Select(j => j.Value?.Job),
            .. monitoring.Queues().SelectMany(q => monitoring.EnqueuedJobs(q.Name, 0, int.MaxValue)).Select(j => j.Value?.Job),
            .. monitoring.ProcessingJobs(0, int.MaxValue).Select(j => j.Value?.Job),
            .. monitoring.SucceededJobs(0, int.MaxValue).Select(j => j.Value?.Job),
            .. monitoring.FailedJobs(0, int.MaxValue).Select(j => j.Value?.Job),
            .. monitoring.DeletedJobs(0, int.MaxValue).Select(j => j.Value?.Job),
        ];
        return [.. jobs.OfType<Job>()];
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class DeferredCancellationCheckTests_InMemoryStore() : DeferredCancellationCheckTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class DeferredCancellationCheckTests_PostgreSqlStore() : DeferredCancellationCheckTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class DeferredCancellationCheckTests_HangfireStore() : DeferredCancellationCheckTests(TaskStoreUnderTest.Hangfire);
