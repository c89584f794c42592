namespace Scenario.Receiver.Tasks.InMemory;

/// <summary>
/// Task ids by a due time, for the in-memory table: set, remove, and the ones due by a time, the longest due first,
/// without visiting the others. Not thread-safe: the table calls it under its own lock.
/// </summary>
internal sealed class DueIndex
{
    private readonly Dictionary<string, long> _dueAt = new(StringComparer.Ordinal);
    private readonly SortedSet<(long Ticks, string Id)> _byTime = new(Comparer<(long Ticks, string Id)>.Create(Compare));

    public int Count => _dueAt.Count;

    public bool Contains(string id) => _dueAt.ContainsKey(id);

    public void Set(string id, DateTimeOffset at)
    {
        if (_dueAt.TryGetValue(id, out var previous))
        {
            _byTime.Remove((previous, id));
        }

        _dueAt[id] = at.UtcTicks;
        _byTime.Add((at.UtcTicks, id));
    }

    public void Remove(string id)
    {
        if (_dueAt.Remove(id, out var previous))
        {
            _byTime.Remove((previous, id));
        }
    }

    /// <summary>At most <paramref name="max"/> ids due by <paramref name="now"/>, the longest due first.</summary>
    public List<string> Due(DateTimeOffset now, int max)
    {
        var due = new List<string>(Math.Min(max, _dueAt.Count));
        foreach (var (ticks, id) in _byTime)
        {
            if (ticks > now.UtcTicks || due.Count >= max)
            {
                break;
            }

            due.Add(id);
        }

        return due;
    }

    private static int Compare((long Ticks, string Id) x, (long Ticks, string Id) y)
    {
        var byTime = x.Ticks.CompareTo(y.Ticks);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
    }
}
