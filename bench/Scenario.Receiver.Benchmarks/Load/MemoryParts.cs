using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Entries.Mvc;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Request;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// What each thing a pending task leaves in storage weighs, measured apart (a child process of its own, no
/// HTTP): the hand-written job, the library's work job, its job parameter and its task record (in the store the
/// receiver chooses for InMemory). The calls are the ones TaskAcceptor makes; each part is N of them between two
/// full compacting collections.
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
        var store = provider.GetRequiredService<ITaskStore>();
        var action = provider.GetRequiredService<LongRunningEntryCatalog>().Entries.Single();
        var request = PricingWork.SampleRequest();
        var argumentsJson = ArgumentCodec.Serialize(action, new MvcBoundArguments(new Dictionary<string, object?> { ["request"] = request }));
        var snapshot = provider.GetRequiredService<RequestSnapshotCapture>().Capture(LoadClientRequest());
        var queue = EnqueuedState.DefaultQueue;
        var runAsync = typeof(ScenarioWorkJob).GetMethod(nameof(ScenarioWorkJob.RunAsync))!;

        // Warm every path once, so the first measurement does not carry JIT and storage set-up.
        Measure(10);

        var parts = Measure(count);
        parts["(c) request snapshot, characters"] = snapshot.Length;
        Console.WriteLine(OutputPrefix + JsonSerializer.Serialize(parts));
        return 0;

        Dictionary<string, double> Measure(int n)
        {
            var taskIds = Enumerable.Range(0, n).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
            var workJobIds = new string[n];
            var bare = BytesEach(n, i => CreateWorkJob(taskIds[i], parameters: null));
            var withParameter = BytesEach(n, i => workJobIds[i] = CreateWorkJob(taskIds[i], TaskJobParameters.For("wf-bench", snapshot)));

            // The job ids the storage returned are kept above, for the records: they belong to whatever keeps them once the
            // array lets go, the record or nothing (in a request, the id is the 202's and garbage after it). Likewise the task
            // id and the workflow id, which a request reads from its headers: fresh strings per task here, as there.
            var idCopies = new string[n];
            var jobIdBytes = BytesEach(n, i => idCopies[i] = new string(workJobIds[i].AsSpan()));
            idCopies = null;
            var accepted = BytesEach(n, i => Completed(store.AcceptAsync(new string(taskIds[i].AsSpan()), action.Key, new string("wf-bench".AsSpan()), null, queue, () => ValueTask.FromResult(workJobIds[i]))));
            var jobIdsLetGo = BytesEach(n, i => workJobIds[i] = null!);
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["(b) hand-written job"] = BytesEach(n, i => jobs.Enqueue<HandWrittenJob>(job => job.RunAsync(taskIds[i], request, CancellationToken.None))),
                ["(c) work job"] = bare,
                ["(c) its job parameter (workflow, trace, request snapshot)"] = withParameter - bare - jobIdBytes,
                [$"(c) task record ({store.Name} store; its task, workflow and job ids included)"] = accepted + jobIdBytes + jobIdsLetGo,
            };
        }

        // The in-memory and Hangfire stores complete synchronously: the result is taken without a Task, which would count.
        static TaskAcceptance Completed(ValueTask<TaskAcceptance> accept)
            => accept.IsCompletedSuccessfully ? accept.Result : accept.AsTask().GetAwaiter().GetResult();

        string CreateWorkJob(string taskId, Dictionary<string, object>? parameters)
            => JobCreation.Create(
                jobs,
                new Job(typeof(ScenarioWorkJob), runAsync, action.Key, taskId, argumentsJson, null, CancellationToken.None),
                new EnqueuedState(queue),
                parameters ?? []);
    }

    /// <summary>The request <see cref="LoadClient"/> sends, as the receiver sees it: what the snapshot holds.</summary>
    private static DefaultHttpContext LoadClientRequest()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 40123);
        context.Request.Path = "/work";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = 97;
        context.Request.Headers["X-Scenario-TaskInstanceId"] = Guid.NewGuid().ToString("D");
        context.Request.Headers["X-Scenario-WorkflowInstanceId"] = "wf-bench";
        return context;
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
