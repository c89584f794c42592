using System.Collections.Concurrent;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>What the test controllers' work did, so tests can see whether and where it ran.</summary>
public sealed class WorkProbe
{
    private readonly ConcurrentQueue<WorkInvocation> _invocations = new();

    public IReadOnlyList<WorkInvocation> Invocations => _invocations.ToArray();

    /// <summary>Released by a test to let a blocked action finish.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Set by the test host's first middleware for the rest of each request's flow. Hangfire's worker threads
    /// started before any request, so nothing run in a job sees it: unlike the HttpContext, which the job
    /// restores from the request snapshot, it cannot be faked by the library.
    /// </summary>
    public static AsyncLocal<bool> InRequestFlow { get; } = new();

    public void Record(string action, ScenarioTaskContext task)
        => _invocations.Enqueue(new WorkInvocation(action, task.TaskInstanceId, task.WorkflowInstanceId, InRequestFlow.Value));

    public int CountFor(string taskInstanceId) => Invocations.Count(i => i.TaskInstanceId == taskInstanceId);
}

public sealed record WorkInvocation(string Action, string? TaskInstanceId, string? WorkflowInstanceId, bool InRequest);
