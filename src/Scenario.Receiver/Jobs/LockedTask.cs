using Hangfire.Storage;

namespace Scenario.Receiver.Jobs;

/// <summary>A task's record while its distributed lock is held: read and write it, then dispose.</summary>
internal sealed class LockedTask : IDisposable
{
    private readonly TaskRecordStore _store;
    private readonly IStorageConnection _connection;
    private readonly IDisposable _lock;

    internal LockedTask(TaskRecordStore store, IStorageConnection connection, IDisposable distributedLock, string taskInstanceId)
    {
        _store = store;
        _connection = connection;
        _lock = distributedLock;
        TaskInstanceId = taskInstanceId;
    }

    public string TaskInstanceId { get; }

    public TaskRecord? Read() => TaskRecordStore.Read(_connection, TaskInstanceId);

    public void WriteAccepted(string? workflowInstanceId, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt)
        => _store.WriteAccepted(_connection, TaskInstanceId, workflowInstanceId, jobId, queue, entryKey, acceptedAt);

    public void WriteReported(string status, DateTimeOffset reportedAt)
        => _store.WriteReported(_connection, TaskInstanceId, status, reportedAt);

    public void WriteOutcome(string outcomeJson) => _store.WriteOutcome(_connection, TaskInstanceId, outcomeJson);

    public void WriteDeferred(DateTimeOffset until, string deadlineJobId) => _store.WriteDeferred(_connection, TaskInstanceId, until, deadlineJobId);

    public void WriteCancelledByScenario(DateTimeOffset at) => _store.WriteCancelledByScenario(_connection, TaskInstanceId, at);

    /// <summary>
    /// Marks the task reported once Scenario took its status, trying again until the storage answers: a mark
    /// lost to a storage blink would have the status posted a second time. The first try uses the locked
    /// connection, later ones a fresh one (the storage may have dropped this one); the lock stays held.
    /// </summary>
    public Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken)
        => StorageRetry.UntilWrittenAsync(
            attempt =>
            {
                if (attempt == 1)
                {
                    _store.WriteReported(_connection, TaskInstanceId, status, reportedAt);
                }
                else
                {
                    _store.WriteReported(TaskInstanceId, status, reportedAt);
                }
            },
            onFailure,
            cancellationToken);

    public void Dispose()
    {
        _lock.Dispose();
        _connection.Dispose();
    }
}
