using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;
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
    private readonly TimeSpan _sweepHorizon;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public PostgreSqlTaskStore(JobStorage storage, IOptions<ScenarioReceiverOptions> options, TimeProvider time, ILogger<PostgreSqlTaskStore> logger)
    {
        var taskStore = options.Value.TaskStore;
        _dataSource = BuildDataSource(taskStore.ConnectionString!);
        _storage = storage;
        _time = time;
        _logger = logger;
        _retention = options.Value.RecordRetention;
        _sweepHorizon = options.Value.EffectiveSweepHorizon;
        Sql = new PostgreSqlTaskSql(taskStore.Schema);
        Table = taskStore.Schema + ".task";
        var database = new NpgsqlConnectionStringBuilder(taskStore.ConnectionString);
        Name = $"postgresql:{database.Database ?? database.Username}/{taskStore.Schema}";
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);
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
    public async ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
    {
        var id = taskInstanceId;
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                bool claimed;
                using (var claim = Command(Sql.ClaimAccept, connection, id))
                {
                    claim.Parameters.AddWithValue("workflow", (object?)workflowInstanceId ?? DBNull.Value);
                    claim.Parameters.AddWithValue("statusUrl", (object?)statusUrl ?? DBNull.Value);
                    claim.Parameters.AddWithValue("queue", queue);
                    claim.Parameters.AddWithValue("entry", entryKey);
                    AddRetention(claim);
                    claimed = await claim.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
                }

                if (!claimed)
                {
                    // Only a row with a job refuses the claim, and it was committed with it.
                    using var find = Command(Sql.FindAcceptedAndCommit, connection, id);
                    await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return TaskAcceptance.Existing(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
                }

                var jobId = await createWorkJob().ConfigureAwait(false);
                using (var record = Command(Sql.RecordAcceptedAndCommit, connection, id))
                {
                    var acceptedAt = _time.GetUtcNow();
                    record.Parameters.AddWithValue("job", jobId);
                    record.Parameters.AddWithValue("at", acceptedAt.UtcDateTime);
                    record.Parameters.AddWithValue("sweepAt", (acceptedAt + _sweepHorizon).UtcDateTime);
                    AddRetention(record);

                    // Not the caller's token: the job exists now, and a rollback would leave it without its record.
                    await record.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }

                return TaskAcceptance.New(jobId);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await RollBackAsync(connection).ConfigureAwait(false);
                throw new DistributedLockTimeoutException($"{Table} accept of task {taskInstanceId}");
            }
            catch
            {
                // The claim goes with the transaction: the next try (Scenario retries a 503) is accepted at once.
                await RollBackAsync(connection).ConfigureAwait(false);
                throw;
            }
        }
    }

    public async ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(Sql.Find, connection, taskInstanceId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgreSqlTaskRow.Read(reader) : null;
        }
    }

    public async ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(Sql.Decide, connection, taskInstanceId);
            command.Parameters.AddWithValue("outcome", JsonSerializer.Serialize(outcome, TaskJsonContext.Default.TaskOutcome));
            command.Parameters.AddWithValue("decidedBy", decidedBy.ToString());
            command.Parameters.AddWithValue("decidedAt", _time.GetUtcNow().UtcDateTime);
            AddRetention(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new TaskDecision(true, null, Text(reader, 0), Text(reader, 1), Text(reader, 2));
            }
        }

        // Refused, so the row has what decided it, and nothing takes that back.
        return TaskDecision.Refusal(await FindAsync(taskInstanceId, cancellationToken).ConfigureAwait(false)) ?? new TaskDecision(false, null);
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public async ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(Sql.BeginProgress, connection, taskInstanceId);
            command.Parameters.AddWithValue("until", until.UtcDateTime);
            command.Parameters.AddWithValue("afterOwnWork", afterOwnWork);
            AddRetention(command);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    public ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.EndProgress, taskInstanceId, cancellationToken, command => command.Parameters.AddWithValue("until", until.UtcDateTime));

    public async ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await PostgreSqlDecideLock.TakeAsync(this, taskInstanceId, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await PostgreSqlReportLease.TakeAsync(this, taskInstanceId, _time, cancellationToken).ConfigureAwait(false);

    public ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.WriteReportJob, taskInstanceId, cancellationToken, command => command.Parameters.AddWithValue("reportJob", reportJobId));

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.MarkUndelivered, taskInstanceId, cancellationToken);

    public async ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(Sql.CountWaiting, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
    }

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => DueAsync(Sql.DueForSweep, now, max, cancellationToken);

    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.ScheduleSweep, taskInstanceId, cancellationToken, command => command.Parameters.AddWithValue("at", at.UtcDateTime));

    /// <summary>
    /// Synchronous, as <see cref="FindDuringStateChange"/>: one statement that waits for no lock. Committed at once, so due
    /// a moment later (<see cref="TaskLocks.StateChangeCommitGrace"/>), once the job's state is committed too. A table not
    /// created yet holds no task.
    /// </summary>
    public void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = Command(Sql.ScheduleSweep, connection, taskInstanceId);
            command.Parameters.AddWithValue("at", (_time.GetUtcNow() + TaskLocks.StateChangeCommitGrace).UtcDateTime);
            command.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
        }
    }

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => DueAsync(Sql.DueForCancellationCheck, now, max, cancellationToken);

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.ScheduleCancellationCheck, taskInstanceId, cancellationToken, command
            => command.Parameters.Add(new NpgsqlParameter<DateTime?>("at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = at?.UtcDateTime }));

    private async ValueTask<IReadOnlyList<string>> DueAsync(string sql, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("now", now.UtcDateTime);
            command.Parameters.AddWithValue("max", max);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var ids = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }
    }

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.MarkRecovering, taskInstanceId, cancellationToken);

    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => ExecuteAsync(Sql.Forget, taskInstanceId, cancellationToken);

    public async ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(Sql.IsDeferred, connection, taskInstanceId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    /// <summary>
    /// Two statements in one round trip: the page's rows by the accepted_at index (one standing: by the index on the
    /// generated standing column and accepted_at), then their count.
    /// </summary>
    public async ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(filter.Standing is null ? Sql.ListAccepted : Sql.ListStanding, connection);
            if (filter.Standing is { } standing)
            {
                command.Parameters.AddWithValue("standing", standing.ToString());
            }

            command.Parameters.AddWithValue("skip", skip);
            command.Parameters.AddWithValue("take", take);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var tasks = new List<ListedTask>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (PostgreSqlTaskRow.Read(reader) is { } record)
                {
                    tasks.Add(new ListedTask(reader.GetString(0), record));
                }
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new TaskListPage(reader.GetInt64(0), tasks);
        }
    }

    /// <summary>Synchronous, as Hangfire's navigation menu is; the partial index on undelivered rows answers it. No table yet, no task.</summary>
    public long CountUndeliveredForMenu()
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(Sql.CountUndelivered, connection);
            return command.ExecuteScalar() is long count ? count : 0;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    internal ValueTask WriteDeliveryNoteAsync(string taskInstanceId, DeliveryNote note)
        => ExecuteAsync(Sql.WriteDeliveryNote, taskInstanceId, CancellationToken.None,
            command => command.Parameters.AddWithValue("delivery", JsonSerializer.Serialize(note, DeliveryNoteJsonContext.Default.DeliveryNote)));

    public ValueTask<IDisposable> LockForSweepAsync() => SweepLock.TakeAsync(_storage, SweepLock.Sweep, TaskLocks.SweepLockTimeout);

    /// <summary>
    /// The one synchronous read of this store, for Hangfire's synchronous state change (see <see cref="ITaskStore"/>): a
    /// single statement that waits for no lock, on the thread Hangfire already holds in its own storage calls. A table
    /// not created yet holds no task.
    /// </summary>
    public TaskRecord? FindDuringStateChange(ApplyStateContext context, string taskInstanceId)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = Command(Sql.Find, connection, taskInstanceId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? PostgreSqlTaskRow.Read(reader) : null;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    /// <summary>Synchronous, as <see cref="FindDuringStateChange"/>; the row exists, since the filter read it.</summary>
    public void WriteReportJobDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId, string reportJobId)
    {
        using var connection = _dataSource.OpenConnection();
        using var command = Command(Sql.WriteReportJob, connection, taskInstanceId);
        command.Parameters.AddWithValue("reportJob", reportJobId);
        command.ExecuteNonQuery();
    }

    /// <summary>PostgreSQL expires nothing by itself; the sweeper removes the rows past the retention.</summary>
    public async ValueTask RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(Sql.RemoveExpired, connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _dataSource.Dispose();
        _schemaLock.Dispose();
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
    internal async ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!_schemaReady)
        {
            try
            {
                await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>
    /// Ends an accept's transaction after a failure; a connection the failure broke is closed without it, and the
    /// server rolls back. Not the caller's token: a cancelled accept must still leave no claim behind.
    /// </summary>
    private static async ValueTask RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is broken: closing it ends the transaction on the server.
        }
    }

    private async ValueTask ExecuteAsync(string sql, string taskInstanceId, CancellationToken cancellationToken, Action<NpgsqlCommand>? parameters = null)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(sql, connection, taskInstanceId);
            parameters?.Invoke(command);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            using var command = new NpgsqlCommand(Sql.CreateSchema, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            Log.PostgreSqlTaskStoreInUse(_logger, Table);
        }
        finally
        {
            _schemaLock.Release();
        }
    }
}
