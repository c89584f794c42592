using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.LongRunning;
using Scenario.Receiver.LongRunning.Mvc;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// What each thing a pending task leaves in storage weighs, measured apart (a child process of its own, no
/// HTTP): the hand-written job, the library's work job and its task record. The
/// calls are the ones TaskAcceptor makes; each part is N of them between two full compacting collections.
/// </summary>
internal static class MemoryParts
{
    private const string OutputPrefix = "MEMORY-PARTS ";

    public static async Task<Dictionary<string, double>> RunChildAsync(int count)
    {
        var output = await ChildProcess.RunAsync(["memory-parts", count.ToString(CultureInfo.InvariantCulture)]);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(OutputPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The memory-parts probe printed no result: {output}");
        return JsonSerializer.Deserialize<Dictionary<string, double>>(line[OutputPrefix.Length..])!;
    }

    public static int RunInThisProcess(string[] args)
    {
        var count = int.Parse(args[0], CultureInfo.InvariantCulture);
        using var provider = ReceiverServices.BuildAcceptingReceiver();

        var jobs = provider.GetRequiredService<IBackgroundJobClient>();
        var records = (HangfireTaskStore)provider.GetRequiredService<ITaskStore>();
        var action = provider.GetRequiredService<LongRunningEntryCatalog>().Entries.Single();
        var request = PricingWork.SampleRequest();
        var argumentsJson = ArgumentCodec.Serialize(action, new MvcBoundArguments(new Dictionary<string, object?> { ["request"] = request }));
        var queue = EnqueuedState.DefaultQueue;

        // Warm every path once, so the first measurement does not carry JIT and storage set-up.
        Measure(10);

        var parts = Measure(count);
        Console.WriteLine(OutputPrefix + JsonSerializer.Serialize(parts));
        return 0;

        Dictionary<string, double> Measure(int n)
        {
            var taskIds = Enumerable.Range(0, n).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
            var workJobIds = new string[n];
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["(b) hand-written job"] = BytesEach(n, i => jobs.Enqueue<HandWrittenJob>(job => job.RunAsync(taskIds[i], request, CancellationToken.None))),
                ["(c) work job"] = BytesEach(n, i => workJobIds[i] = jobs.Create<ScenarioWorkJob>(
                    job => job.RunAsync(action.Key, taskIds[i], argumentsJson, null, CancellationToken.None),
                    new EnqueuedState(queue))),
                ["(c) task record"] = BytesEach(n, i =>
                {
                    using var locked = records.LockForAccept(taskIds[i]);
                    locked.WriteAccepted("wf-bench", workJobIds[i], queue, action.Key, DateTimeOffset.UtcNow);
                }),
            };
        }
    }

    private static double BytesEach(int n, Action<int> step)
    {
        var before = MemoryProbe.SettledHeap();
        for (var i = 0; i < n; i++)
        {
            step(i);
        }

        return (MemoryProbe.SettledHeap() - before) / (double)n;
    }
}
