using Npgsql;
using NpgsqlTypes;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The due times of the PostgreSQL store: when the sweeper looks at an unreported task next, and when a deferred task is
/// asked about next, both columns of the task's row with partial indexes of their own (<see cref="PostgreSqlTaskSql"/>).
/// Apart from the store, because a sweep reads these indexes alone, never a whole row, so that it costs what is due, not
/// what is pending.
/// </summary>
internal sealed class PostgreSqlDueTimes
{
    private readonly PostgreSqlTaskConnections _connections;
    private readonly PostgreSqlTaskSql _sql;
    private readonly TimeProvider _time;

    public PostgreSqlDueTimes(PostgreSqlTaskConnections connections, PostgreSqlTaskSql sql, TimeProvider time)
    {
        _connections = connections;
        _sql = sql;
        _time = time;
    }

    public ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
        => DueAsync(_sql.DueForSweep, now, max, cancellationToken);

    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken)
        => _connections.ExecuteAsync(_sql.ScheduleSweep, taskInstanceId, cancellationToken, command => command.Parameters.AddWithValue("at", at.UtcDateTime));

    /// <summary>
    /// Synchronous, as <see cref="PostgreSqlTaskStore.FindDuringStateChange"/>: one statement that waits for no lock. Committed
    /// at once, so due a moment later (<see cref="TaskLocks.StateChangeCommitGrace"/>), once the job's state is committed too. A
    /// table not created yet holds no task.
    /// </summary>
    public void MarkDueForSweepDuringStateChange(string taskInstanceId)
    {
        try
        {
            using var connection = _connections.Open();
            using var command = PostgreSqlTaskConnections.Command(_sql.ScheduleSweep, connection, taskInstanceId);
            command.Parameters.AddWithValue("at", (_time.GetUtcNow() + TaskLocks.StateChangeCommitGrace).UtcDateTime);
            command.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
        }
    }

    public ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
        => DueAsync(_sql.DueForCancellationCheck, now, max, cancellationToken);

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken)
        => _connections.ExecuteAsync(_sql.ScheduleCancellationCheck, taskInstanceId, cancellationToken, command
            => command.Parameters.Add(new NpgsqlParameter<DateTime?>("at", NpgsqlDbType.TimestampTz) { TypedValue = at?.UtcDateTime }));

    /// <summary>Takes the task off the sweeper's and the health check's lists.</summary>
    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken)
        => _connections.ExecuteAsync(_sql.Forget, taskInstanceId, cancellationToken);

    private async ValueTask<IReadOnlyList<string>> DueAsync(string sql, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
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
}
