using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using static Scenario.Receiver.Tasks.InMemory.InMemoryTaskTable;

namespace Scenario.Receiver.Tasks.InMemory;

/// <summary>
/// The task store for Hangfire.InMemory, chosen whenever that is the job storage (<see cref="IsFor"/>). Such a
/// storage lives in one process and dies with it, so every instance that can share it shares this process, and
/// records kept in the process's memory are exactly as durable as the jobs. What the generic store does through
/// the storage's dispatcher (a distributed lock, a hash read, a hash write, the lock's release: one hand-off each)
/// is a dictionary and a semaphore here: the accept costs the job's creation alone. See docs/benchmarks.md.
/// </summary>
internal sealed class InMemoryTaskStore : ITaskStore
{
    private const string InMemoryStorageType = "Hangfire.InMemory.InMemoryStorage";

    private readonly InMemoryTaskTable _table;
    private readonly JobStorage _storage;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retention;
    private readonly TimeSpan _sweepHorizon;

    public InMemoryTaskStore(JobStorage storage, InMemoryTaskTable table, IOptions<ScenarioReceiverOptions> options, TimeProvider time)
    {
        _storage = storage;
        _table = table;
        _time = time;
        _retention = options.Value.RecordRetention;
        _sweepHorizon = options.Value.EffectiveSweepHorizon;
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);
        Name = NamePrefix + table.Id;
    }

    /// <summary>What every in-memory store's <see cref="Name"/> starts with.</summary>
    internal const string NamePrefix = "in-memory:";

    /// <summary>
    /// With the table's id: hosts sharing a storage must share its table, and the storage's marker
    /// (<see cref="TaskStoreMarker"/>) stops a host that brings a table of its own.
    /// </summary>
    public string Name { get; }

    public string Description => "The in-memory task store";

    public TimeSpan ReportLockTimeout { get; }

    /// <summary>
    /// Whether <paramref name="storage"/> is Hangfire.InMemory's own storage, by its type's name: the package is the
    /// application's, not this library's, and a storage wrapped in another type may keep its data anywhere.
    /// </summary>
    public static bool IsFor(JobStorage storage) => storage.GetType().FullName == InMemoryStorageType;

    public async ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
    {
        var id = taskInstanceId;
        using var locked = await _table.Locks.TakeAsync(id + ":accept", TaskLocks.AcceptLockTimeout, cancellationToken).ConfigureAwait(false);
        if (_table.Find(id, _time.GetUtcNow()) is { JobId: { } existingJobId } existing)
        {
            return TaskAcceptance.Existing(existingJobId, existing.EntryKey);
        }

        // Outside the table's lock, inside the task's: a duplicate waits for the job, other tasks do not.
        var jobId = await createWorkJob().ConfigureAwait(false);
        var acceptedAt = _time.GetUtcNow();
        _table.Write(
            id,
            record => record with { JobId = jobId, Queue = queue, WorkflowInstanceId = workflowInstanceId, StatusUrl = statusUrl, EntryKey = entryKey, AcceptedAt = acceptedAt },
            acceptedAt,
            _retention,
            SetChange.AddUnreported,
            sweepAt: acceptedAt + _sweepHorizon);
        return TaskAcceptance.New(jobId);
    }

    public ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Find(taskInstanceId));

    internal TaskRecord? Find(string taskInstanceId) => _table.Find(taskInstanceId, _time.GetUtcNow());

    /// <summary>The outcome object itself is kept: memory needs no serialization.</summary>
    public async ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default)
    {
        var locked = await LockForDecideAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        await using (locked.ConfigureAwait(false))
        {
            var before = locked.Read();
            if (TaskDecision.Refusal(before) is { } refusal)
            {
                return refusal;
            }

            var decidedAt = _time.GetUtcNow();
            Write(taskInstanceId, record => record with { Outcome = outcome, DecidedBy = decidedBy, DecidedAt = decidedAt });
            _table.ScheduleCancellationCheck(taskInstanceId, null);
            return TaskDecision.Decided(before);
        }
    }

    /// <summary>Under the report lock, waited for briefly: a lock held longer is a terminal post, and the progress is moot.</summary>
    public async ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken = default)
    {
        IDisposable held;
        try
        {
            held = await _table.Locks.TakeAsync(taskInstanceId + ":report", TaskLocks.ProgressLockTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DistributedLockTimeoutException)
        {
            return false;
        }

        using (held)
        {
            if (Find(taskInstanceId) is { } record && !record.TakesProgress(afterOwnWork))
            {
                return false;
            }

            Write(taskInstanceId, record => record with { ProgressUntil = record.ProgressUntil > until ? record.ProgressUntil : until });
            return true;
        }
    }

    public ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        if (Find(taskInstanceId) is { } record && record.ProgressUntil == until)
        {
            Write(taskInstanceId, record => record.ProgressUntil == until ? record with { ProgressUntil = null } : record);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => new InMemoryTaskLock(this, taskInstanceId, await _table.Locks.TakeAsync(taskInstanceId + ":decide", TaskLocks.AcceptLockTimeout, cancellationToken).ConfigureAwait(false));

    public async ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => new InMemoryTaskLock(this, taskInstanceId, await _table.Locks.TakeAsync(taskInstanceId + ":report", ReportLockTimeout, cancellationToken).ConfigureAwait(false));

    public ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default)
        => WriteCompleted(taskInstanceId, record => record with { ReportJobId = reportJobId });

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ChangeSets(taskInstanceId, SetChange.AddUndelivered);

    public ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_table.Counts());

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<string>>(_table.DueForSweep(now, max));

    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        _table.ScheduleSweep(taskInstanceId, at);
        return ValueTask.CompletedTask;
    }

    /// <summary>Written at once, so due a moment later (<see cref="TaskLocks.StateChangeCommitGrace"/>), once the job's state is committed.</summary>
    public void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
        => _table.ScheduleSweep(taskInstanceId, _time.GetUtcNow() + TaskLocks.StateChangeCommitGrace);

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<string>>(_table.DueForCancellationCheck(now, max));

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default)
    {
        _table.ScheduleCancellationCheck(taskInstanceId, at);
        return ValueTask.CompletedTask;
    }

    internal void ScheduleCancellationCheck(string taskInstanceId, DateTimeOffset? at) => _table.ScheduleCancellationCheck(taskInstanceId, at);

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ChangeSets(taskInstanceId, SetChange.AddRecovering);

    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default) => ChangeSets(taskInstanceId, SetChange.Forget);

    public ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Find(taskInstanceId)?.DeferredUntil is not null);

    /// <summary>
    /// A scan and a sort of the table's accepted records, each standing read from its record: memory holds them all, and
    /// 10,000 are filtered and sorted in a few milliseconds (docs/benchmarks.md), less than an index kept on every write would cost.
    /// </summary>
    public ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_table.List(filter, skip, take, _time.GetUtcNow()));

    public long CountUndeliveredForMenu() => _table.Counts().Undelivered;

    public ValueTask<IDisposable> LockForSweepAsync() => SweepLock.TakeAsync(_storage, SweepLock.Sweep, TaskLocks.SweepLockTimeout);

    public ValueTask RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        _table.RemoveExpired(_time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    /// <summary>The table in memory: synchronous by nature.</summary>
    public TaskRecord? FindDuringStateChange(ApplyStateContext context, string taskInstanceId) => Find(taskInstanceId);

    public void WriteReportJobDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId, string reportJobId)
        => Write(taskInstanceId, record => record with { ReportJobId = reportJobId });

    internal ValueTask WriteCompleted(string taskInstanceId, Func<TaskRecord, TaskRecord> change)
    {
        Write(taskInstanceId, change);
        return ValueTask.CompletedTask;
    }

    private ValueTask ChangeSets(string taskInstanceId, SetChange sets)
    {
        _table.ChangeSets(taskInstanceId, sets);
        return ValueTask.CompletedTask;
    }

    internal void Write(string taskInstanceId, Func<TaskRecord, TaskRecord> change, SetChange sets = SetChange.None)
        => _table.Write(taskInstanceId, change, _time.GetUtcNow(), _retention, sets);
}
