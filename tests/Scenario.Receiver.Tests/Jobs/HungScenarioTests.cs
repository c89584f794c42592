using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Scenario.Receiver.Tests.Jobs;

/// <summary>
/// A Scenario that takes connections and never answers (the stand-in holds every request) never decides the work's
/// speed: the work jobs end while it hangs, and once it recovers each task gets exactly one terminal status.
/// </summary>
public abstract class HungScenarioTests(TaskStoreUnderTest store, ITestOutputHelper output) : StandInTest
{
    private const int Tasks = 8;
    private const int WorkWorkers = 4;

    /// <summary>Long enough that a work job waiting on a post (as it did, twice) could not end within <see cref="WorkBound"/>.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Two rounds of 0.3 s work and a 1 s inline bound need about 3 s; a slow machine gets four times that.</summary>
    private static readonly TimeSpan WorkBound = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task EightTasksOnFourWorkers_WhileScenarioHangs_FinishTheirWork_AndEachGetsOneTerminalStatusAfterItRecovers()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [typeof(ProgressController)],
            new()
            {
                ["Scenario:Reporting:RequestTimeout"] = RequestTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                ["Scenario:Reporting:InlineAttemptTimeout"] = "00:00:01",
            },
            configureServer: server => server.WorkerCount = WorkWorkers);
        var records = host.Services.GetRequiredService<ITaskStore>();

        // Accepts every connection, reads the request and never answers: Scenario hung behind its load balancer.
        Scenario.ResponseDelay = TimeSpan.FromHours(1);
        var started = Stopwatch.GetTimestamp();
        var calls = new List<RestCallResponse>();
        for (var i = 0; i < Tasks; i++)
        {
            calls.Add(await host.RestCall.PostAsync("/progress/paced", "{}"));
        }

        await Await.UntilAsync(
            () => calls.All(call => host.Storage.StateOf(call.JobId!) == "Succeeded"),
            $"all {Tasks} work jobs end while Scenario hangs",
            WorkBound);
        var workDone = Stopwatch.GetElapsedTime(started);
        output.WriteLine($"{Tasks} tasks of {ProgressController.PacedDuration.TotalSeconds} s on {WorkWorkers} workers ended their work in {workDone.TotalSeconds:0.0} s while Scenario hung.");

        // Still hanging: nothing was answered, so the work did not wait for an answer that came.
        Assert.Empty(Scenario.Statuses);
        foreach (var call in calls)
        {
            Assert.NotNull((await records.FindAsync(call.TaskInstanceId))!.Outcome);
        }

        Scenario.ResponseDelay = TimeSpan.Zero;
        foreach (var call in calls)
        {
            await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, RequestTimeout * 4);
        }

        // Settled: every task marked reported, every report job ended, nothing left waiting on the stand-in.
        await Await.UntilAsync(
            async () =>
            {
                foreach (var call in calls)
                {
                    if ((await records.FindAsync(call.TaskInstanceId)) is not { IsReported: true, ReportJobId: { } reportJobId } || host.Storage.StateOf(reportJobId) != "Succeeded")
                    {
                        return false;
                    }
                }

                return Scenario.PendingRequestCount == 0;
            },
            "every task is reported by its report job");
        output.WriteLine($"All {Tasks} terminal statuses delivered {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s after the first task was accepted.");

        foreach (var call in calls)
        {
            var statuses = Scenario.StatusesFor(call.TaskInstanceId);
            var terminal = Assert.Single(statuses, status => status.IsTerminal);
            Assert.Equal(ReceivedTaskStatus.CompletedStatus, terminal.Status);

            // The progress posts Scenario held were abandoned, never taken after the terminal status.
            Assert.Same(terminal, statuses[^1]);
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class HungScenarioTests_InMemoryStore(ITestOutputHelper output) : HungScenarioTests(TaskStoreUnderTest.InMemory, output);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class HungScenarioTests_PostgreSqlStore(ITestOutputHelper output) : HungScenarioTests(TaskStoreUnderTest.PostgreSql, output);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class HungScenarioTests_HangfireStore(ITestOutputHelper output) : HungScenarioTests(TaskStoreUnderTest.Hangfire, output);
