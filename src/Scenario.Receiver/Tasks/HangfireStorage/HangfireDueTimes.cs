using Hangfire;
using Hangfire.Storage;
using static Scenario.Receiver.Tasks.HangfireStorage.HangfireTaskKeys;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// The due times of the generic store, as scored sets: when the sweeper looks at an unreported task next
/// (<see cref="UnreportedSetKey"/>) and when a deferred task is asked about next (<see cref="CancellationCheckSetKey"/>).
/// Apart from the records, because a sweep reads these indexes alone, never a record, so that it costs what is due, not
/// what is pending; the record writes that change a due time use <see cref="Score"/> and <see cref="Forget"/> in their
/// own transactions.
/// </summary>
internal sealed class HangfireDueTimes
{
    /// <summary>The score of a task made due at once (see <see cref="Score"/>).</summary>
    private const double DueNow = 0;

    private readonly JobStorage _storage;

    public HangfireDueTimes(JobStorage storage) => _storage = storage;

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max)
        => ValueTask.FromResult<IReadOnlyList<string>>(Due(UnreportedSetKey, now, max));

    /// <summary>
    /// Not conditional: a task reported between the sweeper's read and this write comes back into the set, and the
    /// sweeper's next look at it, a horizon later, finds it reported and lets it go.
    /// </summary>
    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.AddToSet(UnreportedSetKey, taskInstanceId, Score(at));
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    /// <summary>In the state change's own transaction; the lifecycle calls it for a task it found unreported.</summary>
    public static void MarkDueForSweepDuringStateChange(IWriteOnlyTransaction transaction, string taskInstanceId)
        => transaction.AddToSet(UnreportedSetKey, taskInstanceId, DueNow);

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max)
        => ValueTask.FromResult<IReadOnlyList<string>>(Due(CancellationCheckSetKey, now, max));

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        if (at is { } due)
        {
            transaction.AddToSet(CancellationCheckSetKey, taskInstanceId, Score(due));
        }
        else
        {
            transaction.RemoveFromSet(CancellationCheckSetKey, taskInstanceId);
        }

        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    public ValueTask ForgetAsync(string taskInstanceId)
    {
        using var connection = _storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        Forget(transaction, taskInstanceId);
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    /// <summary>A reported task (or one whose record is gone) leaves every set that counts tasks still waiting.</summary>
    internal static void Forget(IWriteOnlyTransaction transaction, string taskInstanceId)
    {
        transaction.RemoveFromSet(UndeliveredSetKey, taskInstanceId);
        transaction.RemoveFromSet(UnreportedSetKey, taskInstanceId);
        transaction.RemoveFromSet(RecoveringSetKey, taskInstanceId);
        transaction.RemoveFromSet(CancellationCheckSetKey, taskInstanceId);
    }

    /// <summary>
    /// The score of a due time: seconds since 1970. <see cref="DueNow"/> (0) is before every one of them: a task made due
    /// by a state change comes first, as does one added by an earlier version, whose sets had no scores.
    /// </summary>
    internal static double Score(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).TotalSeconds;

    /// <summary>
    /// The members of a scored set due by <paramref name="now"/>, lowest score first: Hangfire's ranged read where the
    /// storage has it (InMemory, PostgreSQL, Redis, SQL Server), else its one-member form, so a round takes one task at a
    /// time and the sweeper asks again (each look moves the task's score past now).
    /// </summary>
    private List<string> Due(string setKey, DateTimeOffset now, int max)
    {
        using var connection = _storage.GetConnection();
        if (connection is JobStorageConnection ranged)
        {
            try
            {
                return ranged.GetFirstByLowestScoreFromSet(setKey, DueNow, Score(now), max);
            }
            catch (NotSupportedException)
            {
            }
        }

        return connection.GetFirstByLowestScoreFromSet(setKey, DueNow, Score(now)) is { } first ? [first] : [];
    }
}
