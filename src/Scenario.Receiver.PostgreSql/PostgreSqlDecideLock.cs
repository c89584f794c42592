using Npgsql;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The decide lock on PostgreSQL: the task's row locked (<c>SELECT … FOR UPDATE</c>) by a transaction that
/// commits what was decided on dispose. A process that dies holding it loses its connection, and the
/// database releases the row at once.
/// </summary>
internal sealed class PostgreSqlDecideLock : IDecideLock
{
    private readonly PostgreSqlTaskStore _store;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _id;
    private readonly TaskRecord? _record;

    private PostgreSqlDecideLock(PostgreSqlTaskStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, string id, TaskRecord? record)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
        _id = id;
        _record = record;
    }

    public static async ValueTask<PostgreSqlDecideLock> TakeAsync(PostgreSqlTaskStore store, string id, CancellationToken cancellationToken)
    {
        var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            using var command = PostgreSqlTaskConnections.Command(store.Sql.LockRowForDecide, connection, id);
            command.Transaction = transaction;
            store.AddRetention(command);
            TaskRecord? record = null;
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    record = PostgreSqlTaskRow.Read(reader);
                }
            }

            return new PostgreSqlDecideLock(store, connection, transaction, id, record);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public TaskRecord? Read() => _record;

    public ValueTask WriteDeferredAsync(DateTimeOffset until, string deadlineJobId, DateTimeOffset? firstCancellationCheckAt)
        => ExecuteAsync(_store.Sql.WriteDeferred, command =>
        {
            command.Parameters.AddWithValue("until", until.UtcDateTime);
            command.Parameters.AddWithValue("deadlineJob", deadlineJobId);
            command.Parameters.Add(new NpgsqlParameter<DateTime?>("checkAt", NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = firstCancellationCheckAt?.UtcDateTime });
        });

    public ValueTask WriteCancelledByScenarioAsync(DateTimeOffset at)
        => ExecuteAsync(_store.Sql.WriteCancelledByScenario, command => command.Parameters.AddWithValue("at", at.UtcDateTime));

    /// <summary>
    /// Not cancellable: what was decided under the lock is written whatever happens to the caller's wait, as it
    /// is committed on dispose.
    /// </summary>
    private async ValueTask ExecuteAsync(string sql, Action<NpgsqlCommand> parameters)
    {
        using var command = PostgreSqlTaskConnections.Command(sql, _connection, _id);
        command.Transaction = _transaction;
        _store.AddRetention(command);
        parameters(command);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Commits: what was written under the lock becomes visible and the row is released together.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
