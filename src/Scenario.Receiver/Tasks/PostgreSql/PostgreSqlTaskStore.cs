using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The task store for instances that share a PostgreSQL database (<see cref="ScenarioTaskStoreOptions.ConnectionString"/>):
/// one row per task. Where the generic store takes a distributed lock, reads a hash, writes it and releases the
/// lock (four or five commits), this one runs one statement: a unique key dedupes an accept, a conditional
/// upsert decides an outcome, a lease in the row stands for the report lock. See docs/benchmarks.md.
/// </summary>
internal sealed class PostgreSqlTaskStore : ITaskStore, IDisposable
{
    /// <summary>The first wait for a concurrent accept or delivery of the same task; each further wait doubles.</summary>
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(5);

    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(250);

    private readonly NpgsqlDataSource _dataSource;
    private readonly JobStorage _storage;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgreSqlTaskStore> _logger;
    private readonly TimeSpan _retention;
    private readonly Lock _schemaLock = new();
    private volatile bool _schemaReady;

    public PostgreSqlTaskStore(JobStorage storage, IOptions<ScenarioReceiverOptions> options, TimeProvider time, ILogger<PostgreSqlTaskStore> logger)
    {
        var taskStore = options.Value.TaskStore;
        _dataSource = NpgsqlDataSource.Create(taskStore.ConnectionString!);
        _storage = storage;
        _time = time;
        _logger = logger;
        _retention = options.Value.RecordRetention;
        Sql = new PostgreSqlTaskSql(taskStore.Schema);
        Table = taskStore.Schema + ".task";
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);

        // Hangfire's job filters get only the storage; they find this store through it.
        TaskStoresByStorage.Register(storage, this);
    }

    public TimeSpan ReportLockTimeout { get; }

    internal PostgreSqlTaskSql Sql { get; }

    internal string Table { get; }

    /// <summary>
    /// Claims the task's row (one insert), makes the job, records it (one update): two commits besides the
    /// job's own, where the generic store takes five. A concurrent accept waits for the job id; an accept that
    /// died between the claim and the job is taken over once its claim expires.
    /// </summary>
    public TaskAcceptance Accept(string taskInstanceId, string entryKey, string? workflowInstanceId, string queue, Func<string> createWorkJob)
    {
        var id = Id(taskInstanceId);
        var waitedSince = _time.GetTimestamp();
        var wait = FirstWait;
        while (true)
        {
            if (TryClaim(id, entryKey, workflowInstanceId, queue))
            {
                return TaskAcceptance.New(CreateAndRecord(id, createWorkJob));
            }

            if (FindAccepted(id) is { JobId: { } jobId, EntryKey: var acceptedBy })
            {
                return TaskAcceptance.Existing(jobId, acceptedBy);
            }

            wait = WaitOrGiveUp(waitedSince, TaskLocks.AcceptLockTimeout, wait, taskInstanceId, "accept");
        }
    }

    public TaskRecord? Find(string taskInstanceId)
    {
        using var connection = OpenConnection();
        using var command = Command(Sql.Find, connection, Id(taskInstanceId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? PostgreSqlTaskRow.Read(reader) : null;
    }

    public TaskDecision TryDecide(string taskInstanceId, string outcomeJson)
    {
        using (var connection = OpenConnection())
        using (var command = Command(Sql.Decide, connection, Id(taskInstanceId)))
        {
            command.Parameters.AddWithValue("outcome", outcomeJson);
            AddRetention(command);
            if (command.ExecuteScalar() is true)
            {
                return TaskDecision.Decided;
            }
        }

        // Refused, so the row has what decided it, and nothing takes that back.
        return TaskDecision.Refusal(Find(taskInstanceId)) ?? new TaskDecision(false, null);
    }

    public IDecideLock LockForDecide(string taskInstanceId) => PostgreSqlDecideLock.Take(this, Id(taskInstanceId));

    public IReportLock LockForReport(string taskInstanceId)
    {
        var id = Id(taskInstanceId);
        var waitedSince = _time.GetTimestamp();
        var wait = FirstWait;
        while (true)
        {
            if (PostgreSqlReportLease.TryTake(this, id) is { } lease)
            {
                return lease;
            }

            wait = WaitOrGiveUp(waitedSince, ReportLockTimeout, wait, taskInstanceId, "report");
        }
    }

    public void WriteReportJob(string taskInstanceId, string reportJobId)
        => Execute(Sql.WriteReportJob, taskInstanceId, command => command.Parameters.AddWithValue("reportJob", reportJobId));

    public void MarkUndelivered(string taskInstanceId) => Execute(Sql.MarkUndelivered, taskInstanceId);

    public long CountUndelivered()
    {
        using var connection = OpenConnection();
        using var command = new NpgsqlCommand(Sql.CountUndelivered, connection);
        return (long)command.ExecuteScalar()!;
    }

    public (long Undelivered, long Recovering, long Unreported) CountWaiting()
    {
        using var connection = OpenConnection();
        using var command = new NpgsqlCommand(Sql.CountWaiting, connection);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public IReadOnlyCollection<string> UnreportedTaskIds()
    {
        using var connection = OpenConnection();
        using var command = new NpgsqlCommand(Sql.UnreportedTaskIds, connection);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public void MarkRecovering(string taskInstanceId) => Execute(Sql.MarkRecovering, taskInstanceId);

    public void Forget(string taskInstanceId) => Execute(Sql.Forget, taskInstanceId);

    public bool IsDeferred(string taskInstanceId)
    {
        using var connection = OpenConnection();
        using var command = Command(Sql.IsDeferred, connection, Id(taskInstanceId));
        return command.ExecuteScalar() is true;
    }

    public IDisposable LockForSweep() => SweepLock.Take(_storage);

    /// <summary>PostgreSQL expires nothing by itself; the sweeper removes the rows past the retention.</summary>
    public void RemoveExpired()
    {
        using var connection = OpenConnection();
        using var command = new NpgsqlCommand(Sql.RemoveExpired, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        TaskStoresByStorage.Unregister(_storage, this);
        _dataSource.Dispose();
    }

    /// <summary>A connection from the store's pool, with the table created on the first one.</summary>
    internal NpgsqlConnection OpenConnection()
    {
        var connection = _dataSource.OpenConnection();
        if (!_schemaReady)
        {
            try
            {
                EnsureSchema(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        return connection;
    }

    internal static NpgsqlCommand Command(string sql, NpgsqlConnection connection, string id)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return command;
    }

    internal void AddRetention(NpgsqlCommand command) => command.Parameters.AddWithValue("retention", _retention);

    internal void LeaseNotReturned(Exception exception, string id) => Log.ReportLeaseNotReturned(_logger, exception, id, ReportLockTimeout.TotalSeconds);

    private bool TryClaim(string id, string entryKey, string? workflowInstanceId, string queue)
    {
        using var connection = OpenConnection();
        using var command = Command(Sql.ClaimAccept, connection, id);
        command.Parameters.AddWithValue("workflow", (object?)workflowInstanceId ?? DBNull.Value);
        command.Parameters.AddWithValue("queue", queue);
        command.Parameters.AddWithValue("entry", entryKey);
        command.Parameters.AddWithValue("claim", TaskLocks.AcceptLockTimeout);
        AddRetention(command);
        return command.ExecuteScalar() is true;
    }

    private string CreateAndRecord(string id, Func<string> createWorkJob)
    {
        string jobId;
        try
        {
            jobId = createWorkJob();
        }
        catch
        {
            // The next try (Scenario retries a 503) need not wait for the claim to expire.
            try
            {
                Execute(Sql.ReleaseAcceptClaim, id);
            }
            catch (NpgsqlException)
            {
                // The claim expires after TaskLocks.AcceptLockTimeout instead; the job storage's failure is what the caller hears.
            }

            throw;
        }

        Execute(Sql.RecordAccepted, id, command =>
        {
            command.Parameters.AddWithValue("job", jobId);
            command.Parameters.AddWithValue("at", _time.GetUtcNow().UtcDateTime);
            AddRetention(command);
        });
        return jobId;
    }

    private (string? JobId, string? EntryKey)? FindAccepted(string id)
    {
        using var connection = OpenConnection();
        using var command = Command(Sql.FindAccepted, connection, id);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>Waits before the next try, or throws as Hangfire's distributed lock does once <paramref name="timeout"/> has passed.</summary>
    private TimeSpan WaitOrGiveUp(long waitedSince, TimeSpan timeout, TimeSpan wait, string taskInstanceId, string what)
    {
        if (_time.GetElapsedTime(waitedSince) >= timeout)
        {
            throw new DistributedLockTimeoutException($"{Table} {what} of task {taskInstanceId}");
        }

        Thread.Sleep(wait);
        return wait * 2 < LongestWait ? wait * 2 : LongestWait;
    }

    private void Execute(string sql, string taskInstanceId, Action<NpgsqlCommand>? parameters = null)
    {
        using var connection = OpenConnection();
        using var command = Command(sql, connection, Id(taskInstanceId));
        parameters?.Invoke(command);
        command.ExecuteNonQuery();
    }

    private void EnsureSchema(NpgsqlConnection connection)
    {
        lock (_schemaLock)
        {
            if (_schemaReady)
            {
                return;
            }

            using var transaction = connection.BeginTransaction();
            using var command = new NpgsqlCommand(Sql.CreateSchema, connection, transaction);
            command.ExecuteNonQuery();
            transaction.Commit();
            _schemaReady = true;
            Log.PostgreSqlTaskStoreInUse(_logger, Table);
        }
    }

    /// <summary>Task ids arrive in any letter case; the row is one per GUID.</summary>
    private static string Id(string taskInstanceId) => taskInstanceId.ToLowerInvariant();
}
