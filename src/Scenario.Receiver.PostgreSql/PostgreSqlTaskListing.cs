using Npgsql;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// What the dashboard and the health check read from the PostgreSQL store: pages of the accepted tasks, by acceptance
/// or by standing, and the counts of the tasks still waiting, each answered by an index of its own (<see cref="PostgreSqlTaskSql"/>).
/// Apart from the store, because these are reads of many rows for people, never part of a task's flow, and the marks
/// they count (undelivered, recovering) are flags nothing else reads.
/// </summary>
internal sealed class PostgreSqlTaskListing
{
    private readonly PostgreSqlTaskConnections _connections;
    private readonly PostgreSqlTaskSql _sql;

    public PostgreSqlTaskListing(PostgreSqlTaskConnections connections, PostgreSqlTaskSql sql)
    {
        _connections = connections;
        _sql = sql;
    }

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken)
        => _connections.ExecuteAsync(_sql.MarkUndelivered, taskInstanceId, cancellationToken);

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken)
        => _connections.ExecuteAsync(_sql.MarkRecovering, taskInstanceId, cancellationToken);

    public async ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken)
    {
        var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(_sql.CountWaiting, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
    }

    /// <summary>Synchronous, as Hangfire's navigation menu is; the partial index on undelivered rows answers it. No table yet, no task.</summary>
    public long CountUndeliveredForMenu()
    {
        try
        {
            using var connection = _connections.Open();
            using var command = new NpgsqlCommand(_sql.CountUndelivered, connection);
            return command.ExecuteScalar() is long count ? count : 0;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    /// <summary>
    /// Two statements in one round trip: the page's rows by the accepted_at index (one standing: by the index on the
    /// generated standing column and accepted_at), then their count.
    /// </summary>
    public async ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(filter.Standing is null ? _sql.ListAccepted : _sql.ListStanding, connection);
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
}
