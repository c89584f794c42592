using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using static Scenario.Receiver.Tasks.HangfireStorage.HangfireTaskKeys;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// The per-task record, kept as a hash in Hangfire's job storage so that every instance sharing the
/// storage sees the same answer: the generic path, for every storage. Writes that decide something
/// (accepting a task, deciding its outcome, marking it reported) happen under the storage's distributed lock
/// for that task, never an in-process one. This class takes the locks and decides; the record's layout and writes
/// are <see cref="HangfireTaskRecords"/>'s, the due times of the sweeper and the cancellation checks
/// <see cref="HangfireDueTimes"/>'s, the dashboard's lists and the counts <see cref="HangfireTaskListing"/>'s.
/// </summary>
/// <remarks>
/// Its members complete synchronously although <see cref="ITaskStore"/> is asynchronous: Hangfire's generic storage
/// API (<see cref="IStorageConnection"/>, its transactions and distributed locks) has no asynchronous form, and this
/// store exists to work on every storage through that API alone. So a lock wait here is Hangfire's own, inside
/// <see cref="IStorageConnection.AcquireDistributedLock"/>, never one of ours; the faster stores are asynchronous.
/// </remarks>
internal sealed class HangfireTaskStore : ITaskStore
{
    private readonly JobStorage _storage;
    private readonly TimeProvider _time;
    private readonly HangfireTaskRecords _records;
    private readonly HangfireDueTimes _dueTimes;
    private readonly HangfireTaskListing _listing;

    public HangfireTaskStore(JobStorage storage, IOptions<ScenarioReceiverOptions> options, TimeProvider time)
    {
        _storage = storage;
        _time = time;
        _records = new HangfireTaskRecords(storage, options.Value.RecordRetention, options.Value.EffectiveSweepHorizon, time);
        _dueTimes = new HangfireDueTimes(storage);
        _listing = new HangfireTaskListing(storage, options.Value.RecordRetention, time);
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);
    }

    public string Name => "hangfire";

    public string Description => "The Hangfire job storage";

    public bool InJobStorage => true;

    public TimeSpan ReportLockTimeout { get; }

    /// <summary>Under the task's accept lock: the record says whether a job exists already, else the job is made and recorded.</summary>
    public async ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
    {
        using var locked = await LockAsync(taskInstanceId, AcceptLockSuffix, TaskLocks.AcceptLockTimeout).ConfigureAwait(false);
        var found = locked.Read();
        if (found is { JobId: { } existingJobId } existing)
        {
            return TaskAcceptance.Existing(existingJobId, existing.EntryKey);
        }

        var jobId = await createWorkJob().ConfigureAwait(false);
        locked.WriteAccepted(workflowInstanceId, statusUrl, jobId, queue, entryKey, _time.GetUtcNow(), found);
        return TaskAcceptance.New(jobId);
    }

    /// <summary>
    /// Opens a connection holding the task's accept lock, taken on the caller's own context: for the benchmarks, which
    /// time its parts. The store itself takes its locks through <see cref="LockAsync"/>.
    /// </summary>
    internal HangfireTaskLock LockForAccept(string taskInstanceId)
    {
        var connection = _storage.GetConnection();
        try
        {
            return new HangfireTaskLock(_records, connection, connection.AcquireDistributedLock(Key(taskInstanceId) + AcceptLockSuffix, TaskLocks.AcceptLockTimeout), taskInstanceId);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A lock of its own, so a slow Scenario does not hold up duplicate RestCalls or decisions.</summary>
    public async ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await LockAsync(taskInstanceId, ReportLockSuffix, ReportLockTimeout).ConfigureAwait(false);

    public async ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await LockAsync(taskInstanceId, DecideLockSuffix, TaskLocks.AcceptLockTimeout).ConfigureAwait(false);

    public async ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default)
    {
        using var locked = await LockAsync(taskInstanceId, DecideLockSuffix, TaskLocks.AcceptLockTimeout).ConfigureAwait(false);
        var before = locked.Read();
        if (TaskDecision.Refusal(before) is { } refusal)
        {
            return refusal;
        }

        locked.WriteOutcome(outcome, decidedBy);
        return TaskDecision.Decided(before);
    }

    /// <summary>Under the report lock, waited for briefly: a lock held longer is a terminal post, and the progress is moot.</summary>
    public async ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken = default)
    {
        HangfireTaskLock locked;
        try
        {
            locked = await LockAsync(taskInstanceId, ReportLockSuffix, TaskLocks.ProgressLockTimeout).ConfigureAwait(false);
        }
        catch (DistributedLockTimeoutException)
        {
            return false;
        }

        using (locked)
        {
            var record = locked.Read();
            if (record is not null && !record.TakesProgress(afterOwnWork))
            {
                return false;
            }

            var lease = record?.ProgressUntil > until ? record.ProgressUntil.Value : until;
            locked.WriteProgressUntil(HangfireTaskRecords.FormatTime(lease));
            return true;
        }
    }

    /// <summary>Not under a lock: the lease is read and cleared in one short step, and a later post's lease is left alone.</summary>
    public ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        var current = HangfireTaskRecords.ReadField(connection, taskInstanceId, ProgressUntilField);
        if (HangfireTaskRecords.ParseTime(current) == until)
        {
            _records.Write(connection, taskInstanceId, [new(ProgressUntilField, string.Empty)]);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IDisposable> LockForSweepAsync() => SweepLock.TakeAsync(_storage, SweepLock.Sweep, TaskLocks.SweepLockTimeout);

    /// <summary>
    /// Takes one of the task's distributed locks on a thread of its own where the storage needs it (<see cref="DistributedLockThread"/>):
    /// held across awaits for one flow, it must never be taken for re-entrant because another flow, or an earlier holder on
    /// the same thread, held it.
    /// </summary>
    private async ValueTask<HangfireTaskLock> LockAsync(string taskInstanceId, string suffix, TimeSpan timeout)
    {
        var connection = _storage.GetConnection();
        try
        {
            var resource = Key(taskInstanceId) + suffix;
            var handle = await DistributedLockThread.AcquireAsync(_storage, connection, resource, timeout).ConfigureAwait(false);
            return new HangfireTaskLock(_records, connection, handle, taskInstanceId);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        return ValueTask.FromResult(HangfireTaskRecords.Read(connection, taskInstanceId));
    }

    /// <summary>On the state change's own connection.</summary>
    public TaskRecord? FindDuringStateChange(ApplyStateContext context, string taskInstanceId) => HangfireTaskRecords.Read(context.Connection, taskInstanceId);

    /// <summary>In the state change's own transaction: the report job and the record that names it are written together.</summary>
    public void WriteReportJobDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId, string reportJobId)
        => transaction.SetRangeInHash(Key(taskInstanceId), [new(ReportJobIdField, reportJobId)]);

    public ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        var deferredUntil = HangfireTaskRecords.ReadField(connection, taskInstanceId, DeferredUntilField);
        return ValueTask.FromResult(!string.IsNullOrEmpty(deferredUntil));
    }

    public ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default)
    {
        using var connection = _storage.GetConnection();
        _records.Write(connection, taskInstanceId, [new(ReportJobIdField, reportJobId)]);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => _dueTimes.DueForSweepAsync(now, max);

    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        => _dueTimes.ScheduleSweepAsync(taskInstanceId, at);

    public void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
        => HangfireDueTimes.MarkDueForSweepDuringStateChange(transaction, taskInstanceId);

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => _dueTimes.DueForCancellationCheckAsync(now, max);

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default)
        => _dueTimes.ScheduleCancellationCheckAsync(taskInstanceId, at);

    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => _dueTimes.ForgetAsync(taskInstanceId);

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => _listing.MarkUndeliveredAsync(taskInstanceId);

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => _listing.MarkRecoveringAsync(taskInstanceId);

    public ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default)
        => _listing.CountWaitingAsync();

    public long CountUndeliveredForMenu() => _listing.CountUndeliveredForMenu();

    public ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default)
        => _listing.ListAsync(filter, skip, take);

    public ValueTask RemoveExpiredAsync(CancellationToken cancellationToken = default) => _listing.RemoveExpiredAsync();

    /// <summary>
    /// Puts the accepted tasks that no standing's list holds into their list (<see cref="HangfireTaskListing.Unlisted"/>):
    /// those a version before the lists per standing accepted. Idempotent, and cheap where there are none: every start runs
    /// it, so an instance of the earlier version still running beside this one during an upgrade is caught up by the next
    /// start. Returns how many tasks it placed.
    /// </summary>
    public ValueTask<int> ListUnlistedAsync(CancellationToken cancellationToken)
    {
        var placed = 0;
        foreach (var taskInstanceId in _listing.Unlisted())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_listing.Place(taskInstanceId))
            {
                placed++;
            }
        }

        return ValueTask.FromResult(placed);
    }
}
