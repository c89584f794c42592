namespace Scenario.Receiver.Tasks.InMemory;

/// <summary>
/// The task records of one host's Hangfire.InMemory storage: the records, the sets the sweeper and the health check
/// read, and the per-task locks. A singleton of the host's services, as the storage is: never found through a static
/// table, so hosts on storages of their own stay apart. Hosts in one process that share one storage instance (tests
/// do) must share its table too, registered as the storage is; the start-up check stops a host whose table differs
/// from the one its storage is marked with (<see cref="InMemoryTaskStore.Name"/>, <see cref="TaskStoreMarker"/>).
/// Every change is one short critical section: nothing here waits for anything but the table's own lock.
/// </summary>
internal sealed class InMemoryTaskTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _records = new(StringComparer.Ordinal);

    // The unreported tasks, by the time of the sweeper's next look; the deferred tasks, by their next cancellation check.
    private readonly DueIndex _unreported = new();
    private readonly DueIndex _cancellationChecks = new();
    private readonly HashSet<string> _undelivered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recovering = new(StringComparer.Ordinal);

    /// <summary>Tells this table from another one in the storage's marker: two tables on one storage would not see each other's tasks.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];

    public KeyedLocks Locks { get; } = new();

    /// <summary>The record, or null when there is none or it has expired. <paramref name="id"/> is canonical.</summary>
    public TaskRecord? Find(string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _records.TryGetValue(id, out var entry) && entry.IsLiveAt(now) ? entry.Record : null;
        }
    }

    /// <summary>
    /// Changes a record (a new one starts with its id alone) and keeps it for <paramref name="retention"/> from now,
    /// as Hangfire's storages expire a written hash; the sets change in the same critical section.
    /// </summary>
    /// <remarks><paramref name="sweepAt"/>: with <see cref="SetChange.AddUnreported"/>, the sweeper's first look.</remarks>
    public void Write(string id, Func<TaskRecord, TaskRecord> change, DateTimeOffset now, TimeSpan retention, SetChange sets = SetChange.None, DateTimeOffset sweepAt = default)
    {
        lock (_gate)
        {
            var current = _records.TryGetValue(id, out var entry) && entry.IsLiveAt(now) ? entry.Record : TaskRecord.Empty;
            _records[id] = Entry.Of(change(current), now + retention);
            Apply(id, sets, sweepAt);
        }
    }

    /// <summary>Sets the sweeper's next look at a task still unreported; a reported one stays out.</summary>
    public void ScheduleSweep(string id, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_unreported.Contains(id))
            {
                _unreported.Set(id, at);
            }
        }
    }

    public List<string> DueForSweep(DateTimeOffset now, int max)
    {
        lock (_gate)
        {
            return _unreported.Due(now, max);
        }
    }

    /// <summary>Sets or (null) removes a task's next cancellation check.</summary>
    public void ScheduleCancellationCheck(string id, DateTimeOffset? at)
    {
        lock (_gate)
        {
            if (at is { } due)
            {
                _cancellationChecks.Set(id, due);
            }
            else
            {
                _cancellationChecks.Remove(id);
            }
        }
    }

    public List<string> DueForCancellationCheck(DateTimeOffset now, int max)
    {
        lock (_gate)
        {
            return _cancellationChecks.Due(now, max);
        }
    }

    public void ChangeSets(string id, SetChange sets)
    {
        lock (_gate)
        {
            Apply(id, sets, default);
        }
    }

    /// <summary>
    /// A page of the accepted records under <paramref name="filter"/>, newest first: the standing read from each record
    /// (<see cref="TaskStandings.Of"/>) as it is scanned, so there is no index of standings to keep in step with the writes.
    /// </summary>
    public TaskListPage List(TaskListFilter filter, int skip, int take, DateTimeOffset now)
    {
        List<ListedTask> accepted;
        lock (_gate)
        {
            accepted = new List<ListedTask>(filter.Standing is null ? _records.Count : 64);
            foreach (var (id, entry) in _records)
            {
                if (entry.IsLiveAt(now) && entry.Record is { AcceptedAt: not null } record && filter.Includes(record))
                {
                    accepted.Add(new ListedTask(id, record));
                }
            }
        }

        // Sorted outside the lock: the records are immutable, and the work job's writes need not wait for a page.
        accepted.Sort((a, b) => b.Record.AcceptedAt!.Value.CompareTo(a.Record.AcceptedAt!.Value));
        return new TaskListPage(accepted.Count, accepted.Skip(skip).Take(take).ToList());
    }

    public (long Undelivered, long Recovering, long Unreported) Counts()
    {
        lock (_gate)
        {
            return (_undelivered.Count, _recovering.Count, _unreported.Count);
        }
    }

    /// <summary>Drops the records past their retention; the sets keep their ids, as Hangfire's sets do, for the sweeper to forget.</summary>
    public void RemoveExpired(DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var (id, entry) in _records)
            {
                if (!entry.IsLiveAt(now))
                {
                    _records.Remove(id);
                }
            }
        }
    }

    private void Apply(string id, SetChange sets, DateTimeOffset sweepAt)
    {
        if (sets.HasFlag(SetChange.AddUnreported))
        {
            _unreported.Set(id, sweepAt);
        }

        if (sets.HasFlag(SetChange.AddUndelivered))
        {
            _undelivered.Add(id);
        }

        // Not for a task reported meanwhile: the sweeper marks a task outside its report lock, and a mark after the
        // report's would count the task as being recovered for ever.
        if (sets.HasFlag(SetChange.AddRecovering) && !(_records.TryGetValue(id, out var entry) && entry.Record.IsReported))
        {
            _recovering.Add(id);
        }

        if (sets.HasFlag(SetChange.Forget))
        {
            _unreported.Remove(id);
            _undelivered.Remove(id);
            _recovering.Remove(id);
            _cancellationChecks.Remove(id);
        }
    }

    /// <summary>
    /// A record as the table keeps it: in its compact form while the task has only been accepted (<see cref="AcceptedTaskFacts"/>),
    /// else the record itself; its expiry as UTC ticks. Sixteen bytes in the dictionary: a pending task holds it for as long
    /// as it waits.
    /// </summary>
    private readonly struct Entry
    {
        private readonly object _stored;
        private readonly long _expiresAtUtcTicks;

        private Entry(object stored, long expiresAtUtcTicks)
        {
            _stored = stored;
            _expiresAtUtcTicks = expiresAtUtcTicks;
        }

        /// <summary>The record; made anew from the compact form, which callers never see.</summary>
        public TaskRecord Record => _stored as TaskRecord ?? ((AcceptedTaskFacts)_stored).ToRecord();

        public static Entry Of(TaskRecord record, DateTimeOffset expiresAt)
            => new((object?)AcceptedTaskFacts.Of(record) ?? record, expiresAt.UtcTicks);

        public bool IsLiveAt(DateTimeOffset now) => _expiresAtUtcTicks > now.UtcTicks;
    }

    /// <summary>What a write does to the sets of waiting tasks besides the record.</summary>
    [Flags]
    internal enum SetChange
    {
        None = 0,
        AddUnreported = 1,
        AddUndelivered = 2,
        AddRecovering = 4,

        /// <summary>Leaves every set: the task is reported, or its record is gone.</summary>
        Forget = 8,
    }
}
