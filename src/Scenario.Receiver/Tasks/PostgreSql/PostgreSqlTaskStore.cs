using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The task store for instances that share a PostgreSQL database (<see cref="ScenarioTaskStoreOptions.ConnectionString"/>):
/// one row per task (<see cref="PostgreSqlTaskSql"/>). Where the generic store takes a distributed lock, reads a
/// hash, writes it and releases the lock (four or five commits), this one commits once: the row's unique key
/// dedupes an accept in the accept's transaction, a conditional upsert decides an outcome, a lease in the row
/// stands for the report lock. See docs/benchmarks.md.
/// </summary>
internal sealed class PostgreSqlTaskStore : ITaskStore, IDisposable
{
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
        _dataSource = BuildDataSource(taskStore.ConnectionString!);
        _storage = storage;
        _time = time;
        _logger = logger;
        _retention = options.Value.RecordRetention;
        Sql = new PostgreSqlTaskSql(taskStore.Schema);
        Table = taskStore.Schema + ".task";
        var database = new NpgsqlConnectionStringBuilder(taskStore.ConnectionString);
        Name = $"postgresql:{database.Database ?? database.Username}/{taskStore.Schema}";
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);

        // Hangfire's job filters get only the storage; they find this store through it.
        TaskStoresByStorage.Register(storage, this);
    }

    public string Name { get; }

    public string Description => "The PostgreSQL task store (Scenario:TaskStore)";

    public TimeSpan ReportLockTimeout { get; }

    internal PostgreSqlTaskSql Sql { get; }

    internal string Table { get; }

    /// <summary>
    /// In one transaction (two round trips, <see cref="PostgreSqlTaskSql.ClaimAccept"/>), so one commit besides the
    /// job's own where the generic store makes five: claims the task's row, makes the job and records it. A concurrent accept of the same task waits at its insert until
    /// this one commits, then finds the job; an accept that fails or dies rolls back and leaves nothing behind.
    /// </summary>
    public TaskAcceptance Accept(string taskInstanceId, string entryKey, string? workflowInstanceId, string queue, Func<string> createWorkJob)
    {
        var id = Id(taskInstanceId);
        using var connection = OpenConnection();
        try
        {
            bool claimed;
            using (var claim = Command(Sql.ClaimAccept, connection, id))
            {
                claim.Parameters.AddWithValue("workflow", (object?)workflowInstanceId ?? DBNull.Value);
                claim.Parameters.AddWithValue("queue", queue);
                claim.Parameters.AddWithValue("entry", entryKey);
                AddRetention(claim);
                claimed = claim.ExecuteScalar() is true;
            }

            if (!claimed)
            {
                // Only a row with a job refuses the claim, and it was committed with it.
                using var find = Command(Sql.FindAcceptedAndCommit, connection, id);
                using var reader = find.ExecuteReader();
                reader.Read();
                return TaskAcceptance.Existing(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
            }

            var jobId = createWorkJob();
            using (var record = Command(Sql.RecordAcceptedAndCommit, connection, id))
            {
                record.Parameters.AddWithValue("job", jobId);
                record.Parameters.AddWithValue("at", _time.GetUtcNow().UtcDateTime);
                AddRetention(record);
                record.ExecuteNonQuery();
            }

            return TaskAcceptance.New(jobId);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            RollBack(connection);
            throw new DistributedLockTimeoutException($"{Table} accept of task {taskInstanceId}");
        }
        catch
        {
            // The claim goes with the transaction: the next try (Scenario retries a 503) is accepted at once.
            RollBack(connection);
            throw;
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

    public IReportLock LockForReport(string taskInstanceId) => PostgreSqlReportLease.Take(this, Id(taskInstanceId), _time);

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

    private static NpgsqlDataSource BuildDataSource(string connectionString)
    {
        var dataSource = new NpgsqlDataSourceBuilder(connectionString);

        // Npgsql resets a pooled connection with DISCARD ALL when it is reused, one more statement and commit on
        // every one of this store's statements (docs/benchmarks.md). The store leaves no session state to reset:
        // no SET, no temporary table, no prepared statement, no session-level advisory lock.
        dataSource.ConnectionStringBuilder.NoResetOnClose = true;

        // A statement waiting for a task's row (a concurrent accept's claim, a decide lock) gives up after the time
        // Hangfire's locks wait in the generic store; set at connection start, so no statement of its own.
        var lockTimeout = $"-c lock_timeout={(int)TaskLocks.AcceptLockTimeout.TotalMilliseconds}";
        var options = dataSource.ConnectionStringBuilder.Options;
        dataSource.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options) ? lockTimeout : options + " " + lockTimeout;
        return dataSource.Build();
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

    /// <summary>Ends an accept's transaction after a failure; a connection the failure broke is closed without it, and the server rolls back.</summary>
    private static void RollBack(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            rollback.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is broken: closing it ends the transaction on the server.
        }
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
