using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// Memory per pending task, measured in a child process of its own per variant (a working set is per
/// process: a shared one would carry the other variants' heaps and Kestrel buffers). The child starts the
/// variant without a Hangfire server, warms it up, then accepts N tasks that stay pending in storage, and
/// reports the managed heap and working set before and after, each after a full compacting collection.
/// </summary>
internal static class MemoryProbe
{
    private const string OutputPrefix = "MEMORY-PROBE ";
    private const int WarmupTasks = 500;

    /// <summary>Runs one probe in a child process and returns what it measured.</summary>
    public static async Task<MemorySample> RunChildAsync(Variant variant, int tasks, int concurrency, bool genericTaskStore)
    {
        var output = await ChildProcess.RunAsync(["memory-probe", variant.Letter(), tasks.ToString(CultureInfo.InvariantCulture), concurrency.ToString(CultureInfo.InvariantCulture), genericTaskStore ? "hangfire" : "chosen"]);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(OutputPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The memory probe for {variant.Label()} printed no result: {output}");
        return JsonSerializer.Deserialize<MemorySample>(line[OutputPrefix.Length..])!;
    }

    /// <summary>The child's side: <c>memory-probe {a|b|c} {tasks} {concurrency} {hangfire|chosen}</c>.</summary>
    public static async Task<int> RunInThisProcessAsync(string[] args)
    {
        var variant = VariantNames.Parse(args[0]);
        var tasks = int.Parse(args[1], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[2], CultureInfo.InvariantCulture);
        var genericTaskStore = args[3] == "hangfire";

        // No job runs (no Hangfire server), so nothing is ever posted: any base URL passes the options' validation.
        await using var host = await VariantHost.StartAsync(variant, runJobs: false, new Uri("http://127.0.0.1:9/"), "bench-key", workerCount: 1, genericTaskStore: genericTaskStore);
        using (var warmup = new LoadClient(concurrency))
        {
            await warmup.RunAsync(host.WorkUrl, TimeSpan.FromMinutes(1), WarmupTasks);
        }

        var (heapBefore, workingSetBefore) = Settle();
        int accepted;
        using (var client = new LoadClient(concurrency))
        {
            accepted = (await client.RunAsync(host.WorkUrl, TimeSpan.FromMinutes(2), tasks)).Accepted;
        }

        // Give Kestrel a moment to notice the closed connections and return their buffers.
        await Task.Delay(500);
        var (heapAfter, workingSetAfter) = Settle();

        long pendingJobs = 0;
        if (host.Storage is { } storage)
        {
            var statistics = storage.GetMonitoringApi().GetStatistics();
            pendingJobs = statistics.Enqueued + (statistics.Awaiting ?? 0);
        }

        var sample = new MemorySample(variant.Letter(), accepted, pendingJobs, heapBefore, heapAfter, workingSetBefore, workingSetAfter);
        Console.WriteLine(OutputPrefix + JsonSerializer.Serialize(sample));
        GC.KeepAlive(host);
        return 0;
    }

    /// <summary>The managed heap after a full, compacting, blocking collection.</summary>
    public static long SettledHeap() => Settle().Heap;

    private static (long Heap, long WorkingSet) Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }
}

/// <summary>What one memory probe measured (bytes), and how many tasks and jobs were pending.</summary>
internal sealed record MemorySample(string Variant, int Accepted, long PendingJobs, long HeapBefore, long HeapAfter, long WorkingSetBefore, long WorkingSetAfter)
{
    public double HeapBytesPerTask => (HeapAfter - HeapBefore) / (double)Math.Max(1, Accepted);

    public double WorkingSetBytesPerTask => (WorkingSetAfter - WorkingSetBefore) / (double)Math.Max(1, Accepted);
}
