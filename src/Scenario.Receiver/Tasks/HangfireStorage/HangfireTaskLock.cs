using Hangfire.Storage;
using Scenario.Receiver.Jobs;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>A task's record while one of its distributed locks is held in Hangfire's storage: read and write it, then dispose.</summary>
internal sealed class HangfireTaskLock : IDecideLock, IReportLock
{
    private readonly HangfireTaskStore _store;
    private readonly IStorageConnection _connection;
    private readonly IDisposable _lock;

    internal HangfireTaskLock(HangfireTaskStore store, IStorageConnection connection, IDisposable distributedLock, string taskInstanceId)
    {
        _store = store;
        _connection = connection;
        _lock = distributedLock;
        TaskInstanceId = taskInstanceId;
    }

    public string TaskInstanceId { get; }

    public TaskRecord? Read() => HangfireTaskStore.Read(_connection, TaskInstanceId);

    public void WriteAccepted(string? workflowInstanceId, string jobId, string queue, string entryKey, DateTimeOffset acceptedAt)
        => _store.WriteAccepted(_connection, TaskInstanceId, workflowInstanceId, jobId, queue, entryKey, acceptedAt);

    internal void WriteReported(string status, DateTimeOffset reportedAt)
        => _store.WriteReported(_connection, TaskInstanceId, status, reportedAt);

    public void WriteOutcome(string outcomeJson) => _store.WriteOutcome(_connection, TaskInstanceId, outcomeJson);

    public void WriteDeferred(DateTimeOffset until, string deadlineJobId) => _store.WriteDeferred(_connection, TaskInstanceId, until, deadlineJobId);

    public void WriteCancelledByScenario(DateTimeOffset at) => _store.WriteCancelledByScenario(_connection, TaskInstanceId, at);

    public void WriteCancellationCheck(string checkJobId) => _store.WriteCancellationCheck(_connection, TaskInstanceId, checkJobId);

    /// <summary>The first try uses the locked connection, later ones a fresh one: the storage may have dropped this one.</summary>
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
