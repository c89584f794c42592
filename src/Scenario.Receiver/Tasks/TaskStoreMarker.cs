using Hangfire;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// Keeps instances that share a Hangfire storage on one task store. An instance keeping its records in the
/// PostgreSQL table and one keeping them in Hangfire's hashes would not see each other's tasks: a RestCall sent to
/// both would run twice and be reported twice. So the first instance to start writes where its records are into
/// the shared storage, and an instance whose store differs stops at start-up, naming the fix.
/// </summary>
internal static class TaskStoreMarker
{
    internal const string Key = "scenario:task-store";
    private const string Field = "Store";

    /// <summary>Writes this instance's store when none is written yet; returns the other store written before, if any.</summary>
    public static string? MarkOrFindOther(JobStorage storage, string store)
    {
        using var connection = storage.GetConnection();
        var marked = connection.GetAllEntriesFromHash(Key)?.GetValueOrDefault(Field);
        if (marked is null)
        {
            connection.SetRangeInHash(Key, [new(Field, store)]);
            return null;
        }

        return string.Equals(marked, store, StringComparison.Ordinal) ? null : marked;
    }

    public static InvalidOperationException Mismatch(string store, string marked)
        => store.StartsWith(InMemory.InMemoryTaskStore.NamePrefix, StringComparison.Ordinal) && marked.StartsWith(InMemory.InMemoryTaskStore.NamePrefix, StringComparison.Ordinal)
            ? new($"This instance keeps its Scenario task records in {store}, but another host in this process shares its Hangfire.InMemory storage and keeps them in {marked}: "
                + "they would not see each other's tasks, and a RestCall sent to both would run and be reported twice. The in-memory task table "
                + "belongs to one host's services, not to the storage: give each host its own InMemoryStorage, or keep the records of hosts that share one in a PostgreSQL task store (Scenario:TaskStore:ConnectionString).")
            : new($"This instance keeps its Scenario task records in {store}, but the instances sharing its Hangfire storage keep them in {marked}: "
            + "they would not see each other's tasks, and a RestCall sent to two of them would run and be reported twice. "
            + "Give every instance the same Scenario:TaskStore settings (ConnectionString and Schema). To move every instance "
            + $"to another store on purpose, stop them all once their tasks are reported, delete the hash '{Key}' from the Hangfire storage, and start them with the new settings.");
}
