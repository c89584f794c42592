using Hangfire;
using Hangfire.Storage;
using static Scenario.Receiver.Tasks.HangfireStorage.HangfireTaskKeys;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// What the dashboard and the health check read from the generic store: the accepted tasks by acceptance and by standing
/// (<see cref="AcceptedSetKey"/>, <see cref="StandingSetKey"/>) and the counts of the tasks still waiting. Apart from the
/// records, because Hangfire's storages have no query over hashes: each list and each count is a set kept beside the
/// records, moved in each record write's own transaction (<see cref="MoveStanding"/>), and read here a page at a time.
/// </summary>
internal sealed class HangfireTaskListing
{
    /// <summary>How many expired entries of <see cref="AcceptedSetKey"/> one removal takes at most.</summary>
    private const int ExpiredBatch = 1000;

    private readonly JobStorage _storage;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;

    public HangfireTaskListing(JobStorage storage, TimeSpan retention, TimeProvider time)
    {
        _storage = storage;
        _retention = retention;
        _time = time;
    }

    /// <summary>
    /// Puts an accepted task in the set of its standing as <paramref name="after"/> has it, and takes it out of every other
    /// one, in the write's own transaction. Out of every other, not only the one the record was in: two locks write a
    /// record (decide, report), and a holder's view of the standing before its write may be stale; the standing after
    /// it is not, since each write decides the fields that set it. The page checks each listed record again.
    /// </summary>
    internal static void MoveStanding(IWriteOnlyTransaction transaction, string taskInstanceId, TaskRecord after)
    {
        if (after.AcceptedAt is not { } acceptedAt)
        {
            return;
        }

        var standing = TaskStandings.Of(after);
        foreach (var other in TaskStandings.All)
        {
            if (other != standing)
            {
                transaction.RemoveFromSet(StandingSetKey(other), taskInstanceId);
            }
        }

        transaction.AddToSet(StandingSetKey(standing), taskInstanceId, NewestFirst(acceptedAt));
    }

    /// <summary>
    /// A standing set's score: the acceptance, negated, so the newest task has the lowest score and Hangfire's ranged read
    /// by lowest score (which every storage orders by score, where its range read may follow insertion) pages newest first.
    /// </summary>
    internal static double NewestFirst(DateTimeOffset acceptedAt) => -acceptedAt.ToUnixTimeMilliseconds();

    /// <summary>
    /// The accepted tasks that no standing's set holds: tasks a version before the lists per standing accepted, and which
    /// would otherwise join their list only at their next change (a task deferred for a day would be missing from the
    /// Deferred list for that day). Reads every standing's set once: for <see cref="HangfireTaskStore.ListUnlistedAsync"/>, at start-up.
    /// </summary>
    internal IReadOnlyList<string> Unlisted()
    {
        using var connection = _storage.GetConnection();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var standing in TaskStandings.All)
        {
            listed.UnionWith(connection.GetAllItemsFromSet(StandingSetKey(standing)));
        }

        return [.. connection.GetAllItemsFromSet(AcceptedSetKey).Where(id => !listed.Contains(id))];
    }

    /// <summary>
    /// Puts a task in its standing's set by its record as stored now, outside the task's locks: a write that moves the task
    /// meanwhile moves it in its own transaction, so the record is read again after the move, and the move repeated while
    /// the two disagree (a stale move committed after a newer one). A task whose record has expired is left alone.
    /// </summary>
    internal bool Place(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        var record = HangfireTaskRecords.Read(connection, taskInstanceId);
        for (var attempt = 0; attempt < 3 && record is { AcceptedAt: not null }; attempt++)
        {
            using (var transaction = connection.CreateWriteTransaction())
            {
                MoveStanding(transaction, taskInstanceId, record);
                transaction.Commit();
            }

            var after = HangfireTaskRecords.Read(connection, taskInstanceId);
            if (after is null || TaskStandings.Of(after) == TaskStandings.Of(record))
            {
                return true;
            }

            record = after;
        }

        return false;
    }

    public ValueTask MarkUndeliveredAsync(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(UndeliveredSetKey, taskInstanceId);
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    public ValueTask MarkRecoveringAsync(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(RecoveringSetKey, taskInstanceId);
        transaction.Commit();

        // The sweeper marks a task outside its report lock: a report written meanwhile removed the task from the set
        // before this added it, and would leave it counted as being recovered for ever. Read after the write, so either
        // the report's removal comes after this mark or this read sees the report.
        if (HangfireTaskRecords.Read(connection, taskInstanceId) is { IsReported: true })
        {
            using var undo = connection.CreateWriteTransaction();
            undo.RemoveFromSet(RecoveringSetKey, taskInstanceId);
            undo.Commit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync()
    {
        using var connection = _storage.GetConnection();
        return ValueTask.FromResult((Count(connection, UndeliveredSetKey), Count(connection, RecoveringSetKey), Count(connection, UnreportedSetKey)));
    }

    public long CountUndeliveredForMenu()
    {
        using var connection = _storage.GetConnection();
        return Count(connection, UndeliveredSetKey);
    }

    private static long Count(IStorageConnection connection, string setKey)
        => connection is JobStorageConnection counting
            ? counting.GetSetCount(setKey)
            : connection.GetAllItemsFromSet(setKey).Count;

    /// <summary>
    /// Hangfire's storages expire the record's hash themselves (<see cref="JobStorageTransaction.ExpireHash"/>), but not one
    /// entry of a set: the accepted tasks past the retention leave the dashboard's set here, a batch at a time, where the
    /// storage can find them by score. The record's own expiry may come later (a later write renews it): such a task
    /// leaves the list while its record is still kept, which is why the set's score is its acceptance.
    /// </summary>
    public ValueTask RemoveExpiredAsync()
    {
        using var connection = _storage.GetConnection();
        if (connection is not JobStorageConnection scored)
        {
            return ValueTask.CompletedTask;
        }

        List<string> expired;
        try
        {
            expired = scored.GetFirstByLowestScoreFromSet(AcceptedSetKey, double.MinValue, (_time.GetUtcNow() - _retention).ToUnixTimeMilliseconds(), ExpiredBatch);
        }
        catch (NotSupportedException)
        {
            // A storage without score queries keeps the ids; the list skips those whose record is gone.
            return ValueTask.CompletedTask;
        }

        if (expired.Count > 0)
        {
            using var transaction = connection.CreateWriteTransaction();
            foreach (var id in expired)
            {
                transaction.RemoveFromSet(AcceptedSetKey, id);
                foreach (var standing in TaskStandings.All)
                {
                    transaction.RemoveFromSet(StandingSetKey(standing), id);
                }
            }

            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A range of the accepted set, from its end: Hangfire's storages return a set's range in score order (Redis,
    /// Hangfire.InMemory) or insertion order (the SQL storages), both the order of acceptance here. One hash read per
    /// task on the page; an id whose record has expired is left out. One standing: its own set (<see cref="StandingSetKey"/>),
    /// read by lowest score, so a page reads the ids up to its end and the records on it, never the other tasks.
    /// </summary>
    public ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take)
    {
        using var connection = _storage.GetConnection();
        if (filter.Standing is { } standing)
        {
            return ValueTask.FromResult(ListStanding(connection, filter, StandingSetKey(standing), skip, take));
        }

        var total = Count(connection, AcceptedSetKey);
        var end = total - 1 - skip;
        if (end < 0 || take <= 0)
        {
            return ValueTask.FromResult(new TaskListPage(total, []));
        }

        var start = Math.Max(0, end - take + 1);
        var ids = connection is JobStorageConnection ranged
            ? ranged.GetRangeFromSet(AcceptedSetKey, (int)start, (int)end)
            : [.. connection.GetAllItemsFromSet(AcceptedSetKey).Skip((int)start).Take((int)(end - start + 1))];
        return ValueTask.FromResult(new TaskListPage(total, ReadPage(connection, ids, filter)));
    }

    /// <summary>
    /// A standing's page. A storage without the ranged read by score (none of Hangfire's common ones) reads the whole set of
    /// that standing, still never every task's. A record whose standing has moved since its id was read is left out.
    /// </summary>
    private static TaskListPage ListStanding(IStorageConnection connection, TaskListFilter filter, string setKey, int skip, int take)
    {
        var total = Count(connection, setKey);
        if (take <= 0 || skip >= total)
        {
            return new TaskListPage(total, []);
        }

        if (connection is JobStorageConnection scored)
        {
            try
            {
                var ids = scored.GetFirstByLowestScoreFromSet(setKey, double.MinValue, double.MaxValue, skip + take);
                return new TaskListPage(total, ReadPage(connection, ids.Skip(skip), filter));
            }
            catch (NotSupportedException)
            {
            }
        }

        var all = ReadPage(connection, connection.GetAllItemsFromSet(setKey), filter);
        return new TaskListPage(total, [.. all.Skip(skip).Take(take)]);
    }

    private static List<ListedTask> ReadPage(IStorageConnection connection, IEnumerable<string> ids, TaskListFilter filter)
        => ids
            .Select(id => HangfireTaskRecords.Read(connection, id) is { } record && filter.Includes(record) ? new ListedTask(id, record) : null)
            .OfType<ListedTask>()
            .OrderByDescending(task => task.Record.AcceptedAt)
            .ToList();
}
