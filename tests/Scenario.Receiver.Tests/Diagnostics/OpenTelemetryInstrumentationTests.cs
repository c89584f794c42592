using System.Diagnostics;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Diagnostics;

/// <summary>
/// Scenario.Receiver.OpenTelemetry as its README shows it: AddScenarioReceiverInstrumentation() on OpenTelemetry's own
/// tracer and meter builders, and a task's activities and counts arrive at an exporter (OpenTelemetry's InMemory one).
/// In the global telemetry group: OpenTelemetry's listeners hear every host in the process, so these run alone and
/// can count exactly. Runs once: the store is not what it tests.
/// </summary>
[Collection(GlobalTelemetryGroup.Name)]
public sealed class OpenTelemetryInstrumentationTests : IAsyncLifetime
{
    private const string TaskTag = "scenario.task_instance_id";

    private ScenarioStandIn _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ScenarioStandIn.StartAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    [Fact]
    public void InstrumentationNames_AreTheNamesTheReceiverPublishesUnder()
    {
        Assert.Equal("Scenario.Receiver", ScenarioReceiverInstrumentation.ActivitySourceName);
        Assert.Equal("Scenario.Receiver", ScenarioReceiverInstrumentation.MeterName);
    }

    [Fact]
    public async Task AddScenarioReceiverInstrumentation_OneTask_ItsTraceReachesTheTracerProvidersExporter()
    {
        var exported = new LockedCollection<Activity>();
        // Always on: the default sampler follows the parent, ASP.NET Core's request activity, which only its own
        // instrumentation (not this test's subject) would record.
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new AlwaysOnSampler())
            .AddScenarioReceiverInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
        await using var host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, _scenario, [typeof(TaskWorkController)]);

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        // The work job's activity stops a moment after Scenario took the status: it reports before it ends.
        await Await.UntilAsync(() => Mine(exported, call.TaskInstanceId).Any(a => a.OperationName == "scenario.work"), "the work job's activity is exported");

        var mine = Mine(exported, call.TaskInstanceId);
        Assert.Equal(["scenario.accept", "scenario.report", "scenario.work"], mine.Select(a => a.OperationName).Order(StringComparer.Ordinal));
        Assert.Single(mine.Select(a => a.TraceId).Distinct());
        Assert.All(mine, a => Assert.Equal(ScenarioReceiverInstrumentation.ActivitySourceName, a.Source.Name));
    }

    [Fact]
    public async Task AddScenarioReceiverInstrumentation_OneTask_ItsCountsReachTheMeterProvidersExporter()
    {
        var exported = new LockedCollection<MetricSnapshot>();
        using var metrics = Sdk.CreateMeterProviderBuilder()
            .AddScenarioReceiverInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
        await using var host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, _scenario, [typeof(TaskWorkController)]);

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        // The completed count is recorded once the work job has its answer from Scenario, a moment after the stand-in has it.
        await Await.UntilAsync(
            () =>
            {
                metrics.ForceFlush();
                return Sum(exported, "scenario.receiver.tasks.completed") == 1;
            },
            "the completed task is counted");

        Assert.Equal(1, Sum(exported, "scenario.receiver.tasks.accepted"));
        Assert.Equal(1, Sum(exported, "scenario.receiver.tasks.completed"));
        Assert.Equal(0, Sum(exported, "scenario.receiver.tasks.errored"));
        Assert.Equal(1, Sum(exported, "scenario.receiver.reports.attempts"));
    }

    private static Activity[] Mine(LockedCollection<Activity> exported, string taskInstanceId)
        => exported.Snapshot().Where(a => (a.GetTagItem(TaskTag) as string) == taskInstanceId).ToArray();

    /// <summary>The newest export of a counter (cumulative, so the last snapshot holds the total); 0 before any.</summary>
    private static long Sum(LockedCollection<MetricSnapshot> exported, string name)
    {
        var last = exported.Snapshot().LastOrDefault(m => m.Name == name);
        if (last is null)
        {
            return 0;
        }

        long sum = 0;
        foreach (var point in last.MetricPoints)
        {
            sum += point.GetSumLong();
        }

        return sum;
    }

    /// <summary>
    /// The exporter adds from the thread that stops an activity or collects; the test reads meanwhile: a lock around both.
    /// </summary>
    private sealed class LockedCollection<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public T[] Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(T item)
        {
            lock (_items)
            {
                return _items.Contains(item);
            }
        }

        public void CopyTo(T[] array, int arrayIndex)
        {
            lock (_items)
            {
                _items.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(T item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
