using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks.InMemory;

namespace Scenario.Receiver.Work;

/// <summary>
/// One job per task. The terminal status is delivered by the work job itself when it ends; a report job is
/// created only when that delivery fails (to retry it) or when the work job is deleted before it could
/// report (Recovery.ReportWhenDeletedFilter).
/// </summary>
internal sealed class WorkJobs(IBackgroundJobClient jobs, JobStorage storage, StorageCallThreads storageCalls) : IWorkJobs
{
    /// <summary>Hangfire.InMemory creates a job in the process, at once: on a thread of the receiver's own only the storages that wait on a network.</summary>
    private readonly bool _createsInline = InMemoryTaskStore.IsFor(storage);

    /// <summary>Looked up once: building the job from an expression tree on every accept cost measurably (docs/benchmarks.md).</summary>
    private static readonly MethodInfo RunAsyncMethod = typeof(ScenarioWorkJob).GetMethod(nameof(ScenarioWorkJob.RunAsync))!;

    public ValueTask<string> CreateAsync(string entryKey, string taskInstanceId, string? workflowInstanceId, string queue, string argumentsJson, string? requestSnapshot)
    {
        string Create() => JobCreation.Create(
            jobs,
            new Job(typeof(ScenarioWorkJob), RunAsyncMethod, entryKey, taskInstanceId, argumentsJson, null, CancellationToken.None),
            new EnqueuedState(queue),
            TaskJobParameters.For(workflowInstanceId, requestSnapshot));

        // Hangfire's client is synchronous: off the request's thread (StorageCallThreads) wherever it waits on a server.
        return _createsInline ? ValueTask.FromResult(Create()) : new ValueTask<string>(storageCalls.RunAsync(Create));
    }
}
