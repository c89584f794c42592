namespace Scenario.Receiver.Testing;

/// <summary>What the cancellation query answers: which tasks Scenario cancelled, and whether the query is served at all.</summary>
internal sealed class CancellationBook
{
    private readonly object _gate = new();
    private readonly HashSet<string> _cancelled = new(StringComparer.Ordinal);
    private volatile bool _served = true;

    public bool IsServed
    {
        get => _served;
        set => _served = value;
    }

    public void Cancel(string taskInstanceId)
    {
        lock (_gate)
        {
            _cancelled.Add(taskInstanceId);
        }
    }

    public bool IsCancelled(string taskInstanceId)
    {
        lock (_gate)
        {
            return _cancelled.Contains(taskInstanceId);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _cancelled.Clear();
        }

        _served = true;
    }
}
