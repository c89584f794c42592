using Scenario.Receiver.Testing;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>
/// Counts the Completed statuses the stand-in accepts and signals when a target is reached; cheaper than
/// re-reading the stand-in's recorded statuses on every arrival. An Error status stops the run: every task
/// of the benchmark should succeed.
/// </summary>
internal sealed class CompletionCounter
{
    private int _count;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnStatus(ReceivedTaskStatus status)
    {
        if (status.Status == ReceivedTaskStatus.ErrorStatus)
        {
            _reached.TrySetException(new InvalidOperationException($"Task {status.TaskInstanceId} ended with Error: {status.Message}"));
        }
        else if (status.Status == ReceivedTaskStatus.CompletedStatus && Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
        {
            _reached.TrySetResult();
        }
    }

    /// <summary>Counts from zero again; the task completes when <paramref name="target"/> Completed statuses arrived.</summary>
    public Task Restart(int target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, target);
        Volatile.Write(ref _count, 0);
        return _reached.Task;
    }
}
