namespace Scenario.Receiver.Testing;

/// <summary>
/// A task that completes at the next change and is then replaced: waiters take it, check their condition,
/// and await it, so no change between the check and the await is lost.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>The task the next <see cref="Raise"/> completes; take it before looking at the state.</summary>
    public Task Next
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    public void Raise()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.SetResult();
    }

    private static TaskCompletionSource NewSignal() =>
        // Asynchronous continuations: waiters must not run their predicates on the request thread that raised it.
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
