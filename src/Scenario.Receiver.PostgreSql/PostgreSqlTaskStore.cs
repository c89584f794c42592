using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;
using Npgsql;
using Scenario.Receiver.Diagnostics;
using static Scenario.Receiver.Tasks.PostgreSql.PostgreSqlTaskConnections;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The task store for instances that share a PostgreSQL database (<see cref="ScenarioTaskStoreOptions.ConnectionString"/>):
/// one row per task (<see cref="PostgreSqlTaskSql"/>). Where the generic store takes a distributed lock, reads a
/// hash, writes it and releases the lock (four or five commits), this one commits once: the row's unique key
/// dedupes an accept in the accept's transaction, a conditional upsert decides an outcome, a lease in the row
/// stands for the report lock. See docs/benchmarks.md. This class accepts, decides and keeps the task's row; the
/// due times of the sweeper and the cancellation checks are <see cref="PostgreSqlDueTimes"/>'s, the dashboard's lists and
/// the counts <see cref="PostgreSqlTaskListing"/>'s, and all of them open their connections through
/// <see cref="PostgreSqlTaskConnections"/>.
/// </summary>
internal sealed class PostgreSqlTaskStore : ITaskStore, IDisposable
{
    private readonly PostgreSqlTaskConnections _connections;
    private readonly PostgreSqlTaskAccept _accept;
    private readonly PostgreSqlDueTimes _dueTimes;
    private readonly PostgreSqlTaskListing _listing;
    private readonly JobStorage _storage;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgreSqlTaskStore> _logger;
    private readonly TimeSpan _retention;

    public PostgreSqlTaskStore(JobStorage storage, IOptions<ScenarioReceiverOptions> options, TimeProvider time, ILogger<PostgreSqlTaskStore> logger)
    {
        var taskStore = options.Value.TaskStore;
        _storage = storage;
        _time = time;
        _logger = logger;
        _retention = options.Value.RecordRetention;
        Sql = new PostgreSqlTaskSql(taskStore.Schema);
        Table = taskStore.Schema + ".task";
        _connections = new PostgreSqlTaskConnections(taskStore.ConnectionString!, Sql, Table, logger);
        _accept = new PostgreSqlTaskAccept(this, time, options.Value.EffectiveSweepHorizon);
        _dueTimes = new PostgreSqlDueTimes(_connections, Sql, time);
        _listing = new PostgreSqlTaskListing(_connections, Sql);
        var database = new NpgsqlConnectionStringBuilder(taskStore.ConnectionString);
        Name = $"postgresql:{database.Database ?? database.Username}/{taskStore.Schema}";
        ReportLockTimeout = TaskLocks.ReportLockTimeoutFor(options.Value.Reporting);
    }

    public string Name { get; }

    public string Description => "The PostgreSQL task store (Scenario:TaskStore)";

    public TimeSpan ReportLockTimeout { get; }

    internal PostgreSqlTaskSql Sql { get; }

    internal string Table { get; }

    /// <summary>In one transaction: see <see cref="PostgreSqlTaskAccept"/>.</summary>
    public ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
        => _accept.AcceptAsync(taskInstanceId, entryKey, workflowInstanceId, statusUrl, queue, createWorkJob, cancellationToken);

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
        => _connections.ExecuteAsync(Sql.EndProgress, taskInstanceId, cancellationToken, command => command.Parameters.AddWithValue("until", until.UtcDateTime));

    public async ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await PostgreSqlDecideLock.TakeAsync(this, taskInstanceId, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => await PostgreSqlReportLease.TakeAsync(this, taskInstanceId, _time, cancellationToken).ConfigureAwait(false);

    public ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default)
        => _connections.ExecuteAsync(Sql.WriteReportJob, taskInstanceId, cancellationToken, command => command.Parameters.AddWithValue("reportJob", reportJobId));

    public async ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(Sql.IsDeferred, connection, taskInstanceId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    internal ValueTask WriteDeliveryNoteAsync(string taskInstanceId, DeliveryNote note)
        => _connections.ExecuteAsync(Sql.WriteDeliveryNote, taskInstanceId, CancellationToken.None,
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
            using var connection = _connections.Open();
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
        using var connection = _connections.Open();
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

    /// <summary>A connection from the store's pool, with the table created on the first one (<see cref="PostgreSqlTaskConnections"/>).</summary>
    internal ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);

    internal void AddRetention(NpgsqlCommand command) => command.Parameters.AddWithValue("retention", _retention);

    internal void LeaseNotReturned(Exception exception, string id) => Log.ReportLeaseNotReturned(_logger, exception, id, ReportLockTimeout.TotalSeconds);

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => _dueTimes.DueForSweepAsync(now, max, cancellationToken);

    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        => _dueTimes.ScheduleSweepAsync(taskInstanceId, at, cancellationToken);

    public void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId)
        => _dueTimes.MarkDueForSweepDuringStateChange(taskInstanceId);

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
        => _dueTimes.DueForCancellationCheckAsync(now, max, cancellationToken);

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default)
        => _dueTimes.ScheduleCancellationCheckAsync(taskInstanceId, at, cancellationToken);

    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => _dueTimes.ForgetAsync(taskInstanceId, cancellationToken);

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => _listing.MarkUndeliveredAsync(taskInstanceId, cancellationToken);

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default)
        => _listing.MarkRecoveringAsync(taskInstanceId, cancellationToken);

    public ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default)
        => _listing.CountWaitingAsync(cancellationToken);

    public long CountUndeliveredForMenu() => _listing.CountUndeliveredForMenu();

    public ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default)
        => _listing.ListAsync(filter, skip, take, cancellationToken);

    public void Dispose() => _connections.Dispose();
}
