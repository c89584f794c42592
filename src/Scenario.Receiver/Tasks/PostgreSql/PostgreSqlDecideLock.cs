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

    public static PostgreSqlDecideLock Take(PostgreSqlTaskStore store, string id)
    {
        var connection = store.OpenConnection();
        try
        {
            var transaction = connection.BeginTransaction();
            using var command = PostgreSqlTaskStore.Command(store.Sql.LockRowForDecide, connection, id);
            command.Transaction = transaction;
            store.AddRetention(command);
            TaskRecord? record = null;
            using (var reader = command.ExecuteReader())
            {
                if (reader.Read())
                {
                    record = PostgreSqlTaskRow.Read(reader);
                }
            }

            return new PostgreSqlDecideLock(store, connection, transaction, id, record);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public TaskRecord? Read() => _record;

    public void WriteDeferred(DateTimeOffset until, string deadlineJobId)
        => Execute(_store.Sql.WriteDeferred, command =>
        {
            command.Parameters.AddWithValue("until", until.UtcDateTime);
            command.Parameters.AddWithValue("deadlineJob", deadlineJobId);
        });

    public void WriteCancelledByScenario(DateTimeOffset at)
        => Execute(_store.Sql.WriteCancelledByScenario, command => command.Parameters.AddWithValue("at", at.UtcDateTime));

    public void WriteCancellationCheck(string checkJobId)
        => Execute(_store.Sql.WriteCancellationCheck, command => command.Parameters.AddWithValue("checkJob", checkJobId));

    private void Execute(string sql, Action<NpgsqlCommand> parameters)
    {
        using var command = PostgreSqlTaskStore.Command(sql, _connection, _id);
        command.Transaction = _transaction;
        _store.AddRetention(command);
        parameters(command);
        command.ExecuteNonQuery();
    }

    /// <summary>Commits: what was written under the lock becomes visible and the row is released together.</summary>
    public void Dispose()
    {
        try
        {
            _transaction.Commit();
        }
        finally
        {
            _transaction.Dispose();
            _connection.Dispose();
        }
    }
}
