using Microsoft.Extensions.Logging;
using Npgsql;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The PostgreSQL task store's connections: its own pool (<see cref="NpgsqlDataSource"/>), set up for the store's short
/// statements, and the task table, created on the first connection. Apart from the store, because every part of it
/// (the store, its due times and listing, its locks) opens its connections here and nowhere else, so that none runs a
/// statement before the table exists or on a connection set up otherwise.
/// </summary>
internal sealed class PostgreSqlTaskConnections : IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlTaskSql _sql;
    private readonly string _table;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <remarks>The logger is the store's, so the line that says the table is in use keeps the store's category.</remarks>
    public PostgreSqlTaskConnections(string connectionString, PostgreSqlTaskSql sql, string table, ILogger logger)
    {
        _dataSource = BuildDataSource(connectionString);
        _sql = sql;
        _table = table;
        _logger = logger;
    }

    /// <summary>A connection from the store's pool, with the table created on the first one.</summary>
    internal async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
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

    /// <summary>
    /// A connection for Hangfire's synchronous state change, without creating the table: the callers treat a table not
    /// created yet as holding no task.
    /// </summary>
    internal NpgsqlConnection Open() => _dataSource.OpenConnection();

    internal static NpgsqlCommand Command(string sql, NpgsqlConnection connection, string id)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return command;
    }

    /// <summary>One statement on the task's row, on a connection of its own.</summary>
    internal async ValueTask ExecuteAsync(string sql, string taskInstanceId, CancellationToken cancellationToken, Action<NpgsqlCommand>? parameters = null)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(sql, connection, taskInstanceId);
            parameters?.Invoke(command);
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
            using var command = new NpgsqlCommand(_sql.CreateSchema, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            Log.PostgreSqlTaskStoreInUse(_logger, _table);
        }
        finally
        {
            _schemaLock.Release();
        }
    }
}
