using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// Counts the Completed statuses the stand-in accepts (its OnStatusReceived hook) and signals when a target
/// count is reached: cheaper than re-reading the stand-in's recorded statuses on every arrival.
/// </summary>
internal sealed class CompletionCounter
{
    private int _count;
    private int _errors;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => Volatile.Read(ref _count);

    public int Errors => Volatile.Read(ref _errors);

    public void OnStatus(ReceivedTaskStatus status)
    {
        if (status.Status == ReceivedTaskStatus.ErrorStatus)
        {
            Interlocked.Increment(ref _errors);
            return;
        }

        if (status.Status != ReceivedTaskStatus.CompletedStatus)
        {
            return;
        }

        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
        {
            _reached.TrySetResult();
        }
    }

    /// <summary>Starts counting from zero; the returned task completes when <paramref name="target"/> statuses arrived.</summary>
    public Task Restart(int target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, target);
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _errors, 0);
        return _reached.Task;
    }
}
