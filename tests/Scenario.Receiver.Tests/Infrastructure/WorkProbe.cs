using System.Collections.Concurrent;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>What the test controllers' work did, so tests can see whether and where it ran.</summary>
public sealed class WorkProbe
{
    private readonly ConcurrentQueue<WorkInvocation> _invocations = new();

    public IReadOnlyList<WorkInvocation> Invocations => _invocations.ToArray();

    /// <summary>Released by a test to let a blocked action finish.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Record(string action, ScenarioTaskContext task, bool inRequest)
        => _invocations.Enqueue(new WorkInvocation(action, task.TaskInstanceId, task.WorkflowInstanceId, inRequest));

    public int CountFor(string taskInstanceId) => Invocations.Count(i => i.TaskInstanceId == taskInstanceId);
}

public sealed record WorkInvocation(string Action, string? TaskInstanceId, string? WorkflowInstanceId, bool InRequest);
