using System.Runtime.CompilerServices;
using Hangfire;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// Which task store a Hangfire storage's tasks live in, for the code Hangfire runs without dependency injection:
/// a job filter attribute (<see cref="Jobs.ReportWhenDeletedAttribute"/>) gets only the storage. Keyed by the
/// storage instance, so hosts on storages of their own stay apart; only stores other than the storage's own hashes
/// register (the PostgreSQL table, the in-memory one). A storage with no entry keeps its tasks in its own hashes
/// (<see cref="HangfireStorage.HangfireTaskStore"/>).
/// </summary>
internal static class TaskStoresByStorage
{
    private static readonly ConditionalWeakTable<JobStorage, ITaskStore> Stores = [];

    public static void Register(JobStorage storage, ITaskStore store) => Stores.AddOrUpdate(storage, store);

    /// <summary>Removes the entry when it is still this store's: another host on the same storage may have registered since.</summary>
    public static void Unregister(JobStorage storage, ITaskStore store)
    {
        if (Stores.TryGetValue(storage, out var registered) && ReferenceEquals(registered, store))
        {
            Stores.Remove(storage);
        }
    }

    public static ITaskStore? For(JobStorage storage) => Stores.TryGetValue(storage, out var store) ? store : null;
}
