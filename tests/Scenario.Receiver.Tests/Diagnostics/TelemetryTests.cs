using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Diagnostics;

/// <summary>
/// The library's ActivitySource and Meter ("Scenario.Receiver"), seen the way an OpenTelemetry exporter sees
/// them: through an ActivityListener and a MeterListener.
/// </summary>
public abstract class TelemetryTests(TaskStoreUnderTest store) : HostedTaskWorkTest(store)
{
    private const string SourceName = "Scenario.Receiver";
    private const string TaskTag = "scenario.task_instance_id";

    [Fact]
    public async Task OneTask_IsOneTraceFromTheRequestThroughTheWorkAndItsReport()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SourceName or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var call = await Host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        // Listeners are process-wide: only the activities tagged with this task are this test's.
        Activity? Find(string name) => stopped.SingleOrDefault(a => a.OperationName == name && (a.GetTagItem(TaskTag) as string) == call.TaskInstanceId);
        await Await.UntilAsync(() => Find("scenario.report") is not null && Find("scenario.work") is not null, "the work job's activities stop");

        var accept = Find("scenario.accept")!;
        var work = Find("scenario.work")!;
        var report = Find("scenario.report")!;
        var request = Assert.Single(stopped, a => a.Source.Name == "Microsoft.AspNetCore" && a.SpanId == accept.ParentSpanId);

        Assert.Equal(accept.TraceId, request.TraceId);
        Assert.Equal(accept.TraceId, work.TraceId);
        Assert.Equal(accept.TraceId, report.TraceId);
        Assert.Equal(accept.SpanId, work.ParentSpanId);
        Assert.Equal(work.SpanId, report.ParentSpanId); // the work job reports its own end
        Assert.Equal(ActivityKind.Consumer, work.Kind);
        Assert.Equal("TaskWork.OkResult", accept.GetTagItem("scenario.action"));
        Assert.Equal(call.JobId, accept.GetTagItem("scenario.job_id"));
        Assert.Equal(false, accept.GetTagItem("scenario.duplicate"));
        Assert.True(report.StartTimeUtc + report.Duration <= work.StartTimeUtc + work.Duration, "The report is the last part of the work job.");
    }

    [Fact]
    public async Task DuplicateRestCall_IsTracedAsADuplicateAcceptAndStartsNoWork()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var first = await Host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(first.TaskInstanceId, Await.DefaultTimeout);
        // The work job reports before it ends: its activity stops a moment after Scenario has the status.
        await Await.UntilAsync(
            () => stopped.Any(a => a.OperationName == "scenario.work" && (a.GetTagItem(TaskTag) as string) == first.TaskInstanceId),
            "the work job's activity stops");

        var again = await Host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, taskInstanceId: first.TaskInstanceId);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var mine = stopped.Where(a => (a.GetTagItem(TaskTag) as string) == first.TaskInstanceId).ToArray();
        var accepts = mine.Where(a => a.OperationName == "scenario.accept").ToArray();
        Assert.Equal([false, true], accepts.Select(a => (bool?)a.GetTagItem("scenario.duplicate")));
        Assert.Single(mine, a => a.OperationName == "scenario.work");
    }

    [Fact]
    public async Task MeterListener_SeesTheCountersAndHistogramsMove()
    {
        var counts = new ConcurrentDictionary<string, long>();
        var recordings = new ConcurrentDictionary<string, int>();
        var meterFactory = Host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // This host's meter only: each host takes its own from its IMeterFactory.
                if (instrument.Meter.Name == SourceName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => counts.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            Assert.True(value >= 0, $"{instrument.Name} recorded {value}");
            recordings.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1);
        });
        listener.Start();
        long Count(string name) => counts.GetValueOrDefault("scenario.receiver." + name);
        int Recorded(string name) => recordings.GetValueOrDefault("scenario.receiver." + name);

        // A: completed on the first attempt, then sent again by Scenario.
        var a = await Host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(a.TaskInstanceId, Await.DefaultTimeout);
        await Host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody, taskInstanceId: a.TaskInstanceId);
        // B: the action throws.
        var b = await Host.RestCall.PostAsync("/tasks/throw", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(b.TaskInstanceId, Await.DefaultTimeout);
        // C: Scenario answers the first post with 503, takes the second.
        Scenario.FailNext(1, 503);
        var c = await Host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(c.TaskInstanceId, Await.DefaultTimeout);
        // The counters move after the stand-in has the status (once the delivery is written down).
        await Await.UntilAsync(() => Count("tasks.completed") >= 2 && Count("tasks.errored") >= 1, "the delivered statuses are counted");

        Assert.Equal(3, Count("tasks.accepted"));
        Assert.Equal(1, Count("tasks.duplicate"));
        Assert.Equal(2, Count("tasks.completed"));
        Assert.Equal(1, Count("tasks.errored"));
        Assert.Equal(4, Count("reports.attempts"));
        Assert.Equal(1, Count("reports.failures"));
        Assert.Equal(3, Recorded("work.duration"));
        Assert.Equal(4, Recorded("reports.duration"));
    }

    [Fact]
    public void Instruments_FollowOpenTelemetryNaming_OnTheHostsOwnMeter()
    {
        var instruments = new List<Instrument>();
        var meterFactory = Host.Services.GetRequiredService<IMeterFactory>();
        _ = Host.Services.GetRequiredService<ScenarioMetrics>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == SourceName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();

        Assert.Equal(
            [
                ("scenario.receiver.redirects", "{answer}"),
                ("scenario.receiver.reports.attempts", "{attempt}"),
                ("scenario.receiver.reports.duration", "s"),
                ("scenario.receiver.reports.failures", "{attempt}"),
                ("scenario.receiver.tasks.accepted", "{task}"),
                ("scenario.receiver.tasks.completed", "{task}"),
                ("scenario.receiver.tasks.duplicate", "{task}"),
                ("scenario.receiver.tasks.errored", "{task}"),
                ("scenario.receiver.work.duration", "s"),
            ],
            instruments.Select(i => (i.Name, i.Unit)).Order());
    }
}

[Collection(GlobalTelemetryGroup.Name)]
[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class TelemetryTests_InMemoryStore() : TelemetryTests(TaskStoreUnderTest.InMemory);

[Collection(GlobalTelemetryGroup.Name)]
[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class TelemetryTests_PostgreSqlStore() : TelemetryTests(TaskStoreUnderTest.PostgreSql);

[Collection(GlobalTelemetryGroup.Name)]
[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class TelemetryTests_HangfireStore() : TelemetryTests(TaskStoreUnderTest.Hangfire);
