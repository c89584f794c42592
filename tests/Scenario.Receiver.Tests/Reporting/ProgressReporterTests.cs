using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Work;

namespace Scenario.Receiver.Tests.Reporting;

/// <summary>
/// Progress from a running action to Scenario: through a host (throttled, ordered, clamped, best effort,
/// heartbeat), and the reporter on its own for what timing cannot show (latest wins, flushed before it closes).
/// </summary>
public abstract class ProgressReporterTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);

    // Posts are timed as they leave the status client, a moment after the reporter decided to send:
    // on a busy machine that moment can shorten the next gap a little.
    private static readonly TimeSpan SendJitter = TimeSpan.FromMilliseconds(100);

    private readonly List<ReceiverTestHost> _hosts = [];
    private readonly ConcurrentQueue<(long Timestamp, string Body)> _sent = new();
    private ScenarioStandIn _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ScenarioStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _scenario.DisposeAsync();
    }

    private async Task<ReceiverTestHost> StartHostAsync(Dictionary<string, string?>? settings = null)
    {
        var host = await ReceiverTestHost.StartAsync(
            store,
            _scenario,
            [typeof(ProgressController)],
            settings,
            configure: builder => builder.Services.AddHttpClient<ScenarioStatusClient>().AddHttpMessageHandler(() => new SendClock(_sent)));
        _hosts.Add(host);
        return host;
    }

    private static ReceivedTaskStatus[] InProgress(IEnumerable<ReceivedTaskStatus> statuses)
        => statuses.Where(s => s.Status == ReceivedTaskStatus.InProgressStatus).ToArray();

    /// <summary>The time between consecutive InProgress posts of a task, as the status client sent them.</summary>
    private TimeSpan[] GapsBetweenProgressPosts(string taskInstanceId)
    {
        var times = _sent
            .Where(s => s.Body.Contains(taskInstanceId, StringComparison.Ordinal) && s.Body.Contains("\"InProgress\"", StringComparison.Ordinal))
            .Select(s => s.Timestamp)
            .ToArray();
        return times.Skip(1).Select((t, i) => Stopwatch.GetElapsedTime(times[i], t)).ToArray();
    }

    [Fact]
    public async Task ManyQuickReports_ArePostedThrottledInOrderEndingWith100BeforeTheTerminalStatus()
    {
        var host = await StartHostAsync(new() { ["Scenario:Reporting:ProgressInterval"] = "00:00:00.300" });

        var call = await host.RestCall.PostAsync("/progress/burst", null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        var terminal = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        // Stopped: whatever this host could still send has been sent, so "nothing after the terminal status" holds for good.
        await host.App.StopAsync();

        var statuses = _scenario.StatusesFor(call.TaskInstanceId);
        Assert.Equal("Completed", terminal.Status);
        Assert.Same(terminal, statuses[^1]);
        var progress = statuses.Take(statuses.Count - 1).ToArray();
        Assert.All(progress, s => Assert.Equal(ReceivedTaskStatus.InProgressStatus, s.Status));
        // 50 calls over about 1.5 s, at most one post per 300 ms: a handful of posts, never one per call.
        Assert.InRange(progress.Length, 2, ProgressController.BurstSteps / 3);
        var percents = progress.Select(s => s.ProgressPercentage!.Value).ToArray();
        Assert.All(percents, p => Assert.InRange(p, 0, 100));
        Assert.Equal(percents.Order().Distinct(), percents);
        Assert.Equal(100, percents[^1]);
        Assert.Equal("done", progress[^1].Message);
        var gaps = GapsBetweenProgressPosts(call.TaskInstanceId);
        Assert.Equal(progress.Length - 1, gaps.Length);
        for (var i = 0; i < gaps.Length - 1; i++)
        {
            // The last gap is the final flush: the work ended, so its value went out without waiting.
            Assert.True(gaps[i] >= Interval - SendJitter, $"Posts {i + 1} and {i + 2} left {gaps[i].TotalMilliseconds:0} ms apart, less than the {Interval.TotalMilliseconds:0} ms interval.");
        }
    }

    [Fact]
    public async Task ProgressOutOfRange_IsClampedTo0And100()
    {
        var host = await StartHostAsync();

        var call = await host.RestCall.PostAsync("/progress/clamped", null);
        await _scenario.WaitForStatusesAsync(s => InProgress(s).Any(p => p.TaskInstanceId == call.TaskInstanceId), Await.DefaultTimeout);
        host.Probe.Gate.SetResult();
        await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var progress = InProgress(_scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal([(0, "below"), (100, "above")], progress.Select(p => (p.ProgressPercentage!.Value, p.Message)));
    }

    [Fact]
    public async Task ProgressPostFailing_DoesNotFailTheWork()
    {
        var host = await StartHostAsync();
        _scenario.FailAll(503);

        var call = await host.RestCall.PostAsync("/progress/gated", null);
        await _scenario.WaitForRequestsAsync(
            requests => requests.Any(r => r.AnsweredStatusCode == 503 && r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal)),
            Await.DefaultTimeout);
        _scenario.FailAll(null);
        host.Probe.Gate.SetResult();
        var terminal = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", terminal.Status);
        Assert.Equal("200", terminal.OutputStatusCode);
        // Hangfire can start the report before it commits the work job's final state: wait for it to leave Processing.
        await Await.UntilAsync(() => host.Storage.StateOf(call.JobId!) != "Processing", "the work job ends");
        Assert.Equal("Succeeded", host.Storage.StateOf(call.JobId!));
        Assert.Equal(1, host.Probe.CountFor(call.TaskInstanceId));
        // The refused 10 % is dropped, not retried; the value after the outage still gets through, before the terminal status.
        var statuses = _scenario.StatusesFor(call.TaskInstanceId);
        Assert.Equal(["InProgress 90 finishing", "Completed"], statuses.Select(s => s.IsTerminal ? s.Status : $"{s.Status} {s.ProgressPercentage} {s.Message}"));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1401 && l.Message.Contains(call.TaskInstanceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Heartbeat_WhenConfigured_PostsInProgressPeriodicallyWhileTheWorkRuns()
    {
        var heartbeat = TimeSpan.FromMilliseconds(200);
        var host = await StartHostAsync(new()
        {
            ["Scenario:Reporting:ProgressInterval"] = "00:00:00.050",
            ["Scenario:Reporting:HeartbeatInterval"] = "00:00:00.200",
        });

        var call = await host.RestCall.PostAsync("/progress/gated", null);
        // The work reports once and then waits: every further post is the heartbeat.
        var seen = await _scenario.WaitForStatusesAsync(s => InProgress(s).Count(p => p.TaskInstanceId == call.TaskInstanceId) >= 5, Await.DefaultTimeout);
        host.Probe.Gate.SetResult();
        var terminal = await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var beats = InProgress(seen.Where(s => s.TaskInstanceId == call.TaskInstanceId)).ToArray();
        Assert.All(beats, b => Assert.Equal((10, "started"), (b.ProgressPercentage!.Value, b.Message)));
        // Beats follow a fixed schedule, so one that left late (by up to a period on a busy machine) is followed
        // by one that leaves on time: the heartbeat shows in the span of the beats (after the work's own post),
        // not in every gap.
        var beatGaps = GapsBetweenProgressPosts(call.TaskInstanceId).Skip(1).Take(beats.Length - 2).ToArray();
        var span = beatGaps.Aggregate(TimeSpan.Zero, (sum, gap) => sum + gap);
        // Less 50 ms: the gaps are taken where Scenario receives the posts, so the first and last beat's own time in
        // flight shifts the span (CI, loaded: 392 ms for three gaps against 400).
        Assert.True(
            span >= heartbeat * (beatGaps.Length - 1) - TimeSpan.FromMilliseconds(50),
            $"{beatGaps.Length + 1} heartbeats left within {span.TotalMilliseconds:0} ms, faster than one per {heartbeat.TotalMilliseconds:0} ms.");

        Assert.Equal("Completed", terminal.Status);
        Assert.Same(terminal, _scenario.StatusesFor(call.TaskInstanceId)[^1]);
    }

    [Fact]
    public async Task Reporter_ReportsWithinOneInterval_PostsOnlyTheLatestWhenClosed()
    {
        var taskId = TestData.NewTaskId();
        using var http = new HttpClient();
        var reporter = NewReporter(taskId, http, NewRecords(), TimeSpan.FromHours(1));

        await reporter.ReportAsync(1, "first", CancellationToken.None);
        await _scenario.WaitForStatusesAsync(s => s.Any(p => p.TaskInstanceId == taskId), Await.DefaultTimeout);
        for (var percent = 2; percent <= 50; percent++)
        {
            await reporter.ReportAsync(percent, $"step {percent}", CancellationToken.None);
        }

        await reporter.DisposeAsync();

        // Read without waiting: closing returns only once the final value has reached Scenario.
        var posted = _scenario.StatusesFor(taskId).Select(s => (s.ProgressPercentage!.Value, s.Message));
        Assert.Equal([(1, "first"), (50, "step 50")], posted);
    }

    [Fact]
    public async Task Reporter_LastValueReportedJustBeforeClosing_IsNeverLost()
    {
        // No throttle: the sender starts and stops around every report, the moment a final value could slip through.
        using var http = new HttpClient();
        var records = NewRecords();
        for (var run = 0; run < 30; run++)
        {
            var taskId = TestData.NewTaskId();
            var reporter = NewReporter(taskId, http, records, TimeSpan.Zero);
            for (var percent = 0; percent <= 10; percent++)
            {
                await reporter.ReportAsync(percent * 10, null, CancellationToken.None);
            }

            await reporter.DisposeAsync();

            Assert.Equal(100, _scenario.StatusesFor(taskId)[^1].ProgressPercentage);
        }
    }

    [Fact]
    public async Task Reporter_AfterClosing_IgnoresReports()
    {
        var taskId = TestData.NewTaskId();
        using var http = new HttpClient();
        var reporter = NewReporter(taskId, http, NewRecords(), TimeSpan.Zero);
        await reporter.ReportAsync(40, null, CancellationToken.None);
        await reporter.DisposeAsync();

        await reporter.ReportAsync(60, null, CancellationToken.None);
        // A marker through the same stand-in: once it arrives, a post of 60 sent before it would be there too.
        var marker = TestData.NewTaskId();
        var second = NewReporter(marker, http, NewRecords(), TimeSpan.Zero);
        await second.ReportAsync(1, null, CancellationToken.None);
        await second.DisposeAsync();

        Assert.Equal([40], _scenario.StatusesFor(taskId).Select(s => s.ProgressPercentage!.Value));
    }

    [Fact]
    public async Task Reporter_ForATaskAlreadyReported_PostsNothing()
    {
        var taskId = TestData.NewTaskId();
        var records = NewRecords();
        await using (var locked = await records.LockForReportAsync(taskId, CancellationToken.None))
        {
            await locked.WriteReportedAsync("Completed", DateTimeOffset.UtcNow, (_, _, _) => { }, CancellationToken.None);
        }

        using var http = new HttpClient();
        var reporter = NewReporter(taskId, http, records, TimeSpan.Zero);
        await reporter.ReportAsync(70, null, CancellationToken.None);
        await reporter.DisposeAsync();

        Assert.DoesNotContain(_scenario.Requests, r => r.Body.Contains(taskId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reporter_WhenScenarioRefuses_NeitherThrowsNorRetries()
    {
        var taskId = TestData.NewTaskId();
        using var http = new HttpClient();
        var reporter = NewReporter(taskId, http, NewRecords(), TimeSpan.Zero);
        _scenario.FailAll(401);

        await reporter.ReportAsync(20, null, CancellationToken.None);
        await reporter.DisposeAsync();

        var sent = _scenario.Requests.Where(r => r.Body.Contains(taskId, StringComparison.Ordinal)).ToArray();
        Assert.Equal(401, Assert.Single(sent).AnsweredStatusCode);
    }

    [Fact]
    public async Task Reporter_WhenScenarioIsUnreachable_NeitherThrowsNorBlocksLongerThanAFailedConnection()
    {
        var taskId = TestData.NewTaskId();
        var gone = await ScenarioStandIn.StartAsync();
        var baseUrl = gone.BaseUrl;
        await gone.DisposeAsync();
        using var http = new HttpClient();
        var options = new ScenarioReceiverOptions { BaseUrl = baseUrl, ApiKey = _scenario.ApiKey };
        var reporter = new ProgressReporter(
            taskId, null, StatusClient(http, options), NewRecords(), TimeProvider.System, options.Reporting, NullLogger.Instance);

        await reporter.ReportAsync(20, null, CancellationToken.None);
        var closing = reporter.DisposeAsync().AsTask();

        await closing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(closing.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Reporter_WhenScenarioHangs_FinishesWithinTheInlineBound_AndAbandonsThePost()
    {
        var taskId = TestData.NewTaskId();
        using var http = new HttpClient();
        var reporter = NewReporter(taskId, http, NewRecords(), TimeSpan.Zero, inlineAttemptTimeout: TimeSpan.FromMilliseconds(500));
        _scenario.ResponseDelay = TimeSpan.FromHours(1);

        await reporter.ReportAsync(20, null, CancellationToken.None);
        await _scenario.WaitForRequestsAsync(_ => _scenario.PendingRequestCount > 0, Await.DefaultTimeout);
        var started = Stopwatch.GetTimestamp();
        var flush = await reporter.FinishAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var waited = Stopwatch.GetElapsedTime(started);

        Assert.Equal(ProgressFlush.Abandoned, flush);
        Assert.True(waited < TimeSpan.FromSeconds(2), $"waited {waited.TotalSeconds:0.###} s");

        // Cancelled, so its connection is closed: the stand-in sees the sender leave, and never takes the post.
        var abandoned = await _scenario.WaitForRequestsAsync(requests => requests.Any(r => r.Body.Contains(taskId, StringComparison.Ordinal)), Await.DefaultTimeout);
        Assert.Equal(RecordedRequest.ClientClosedRequestStatusCode, Assert.Single(abandoned, r => r.Body.Contains(taskId, StringComparison.Ordinal)).AnsweredStatusCode);
        Assert.Empty(_scenario.StatusesFor(taskId));
    }

    private ProgressReporter NewReporter(string taskId, HttpClient http, TaskLifecycle records, TimeSpan interval, TimeSpan? inlineAttemptTimeout = null)
    {
        var options = new ScenarioReceiverOptions { BaseUrl = _scenario.BaseUrl, ApiKey = _scenario.ApiKey };
        options.Reporting.ProgressInterval = interval;
        options.Reporting.InlineAttemptTimeout = inlineAttemptTimeout ?? options.Reporting.InlineAttemptTimeout;
        var client = StatusClient(http, options);
        return new ProgressReporter(taskId, null, client, records, TimeProvider.System, options.Reporting, NullLogger.Instance);
    }

    private static ScenarioStatusClient StatusClient(HttpClient http, ScenarioReceiverOptions options)
        => new(
            http,
            Options.Create(options),
            new ScenarioRedirects(),
            new ScenarioMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
            TimeProvider.System,
            NullLogger<ScenarioStatusClient>.Instance);

    /// <summary>A lifecycle over a store of its own; no test here makes it schedule a job.</summary>
    private static TaskLifecycle NewRecords()
    {
        var options = Options.Create(new ScenarioReceiverOptions());
        return new TaskLifecycle(
            new HangfireTaskStore(new InMemoryStorage(), options, TimeProvider.System),
            new NoTaskJobs(),
            new StatusUrlPolicy(options, NullLogger<StatusUrlPolicy>.Instance),
            options,
            TimeProvider.System,
            NullLogger<TaskLifecycle>.Instance);
    }

    private sealed class NoTaskJobs : ITaskJobs
    {
        public string CreateReportJob(string taskInstanceId, string? workflowInstanceId, int priorAttempts, Hangfire.States.IState state, Hangfire.JobStorage? storage = null) => throw new NotSupportedException();

        public string CreateDeadlineJob(string taskInstanceId, string? workflowInstanceId, TimeSpan deadline, DateTimeOffset until) => throw new NotSupportedException();

        public void DeleteScheduled(string jobId) => throw new NotSupportedException();

        public bool EnqueueNow(string reportJobId, string reason) => throw new NotSupportedException();

        public string? DeleteUnlessEnded(string jobId, string reason) => throw new NotSupportedException();
    }

    /// <summary>Notes when each status leaves the receiver, before the network or the stand-in add their own delays.</summary>
    private sealed class SendClock(ConcurrentQueue<(long Timestamp, string Body)> sent) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var at = Stopwatch.GetTimestamp();
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            sent.Enqueue((at, body));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ProgressReporterTests_InMemoryStore() : ProgressReporterTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ProgressReporterTests_PostgreSqlStore() : ProgressReporterTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ProgressReporterTests_HangfireStore() : ProgressReporterTests(TaskStoreUnderTest.Hangfire);
