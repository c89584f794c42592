using System.Collections;

namespace Scenario.Receiver.Diagnostics;

/// <summary>
/// A log scope that carries the task and workflow ids as structured values
/// (<c>TaskInstanceId</c>, <c>WorkflowInstanceId</c>), in requests and in both jobs.
/// </summary>
internal sealed class TaskLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly string _taskInstanceId;
    private readonly string? _workflowInstanceId;

    public TaskLogScope(string taskInstanceId, string? workflowInstanceId)
    {
        _taskInstanceId = taskInstanceId;
        _workflowInstanceId = workflowInstanceId;
    }

    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskInstanceId", _taskInstanceId),
        1 => new("WorkflowInstanceId", _workflowInstanceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"TaskInstanceId:{_taskInstanceId} WorkflowInstanceId:{_workflowInstanceId}";
}
