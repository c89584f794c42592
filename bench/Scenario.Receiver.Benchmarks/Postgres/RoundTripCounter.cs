using Npgsql;

namespace Scenario.Receiver.Benchmarks.Postgres;

/// <summary>
/// Counts the statements and commits one database receives between <see cref="StartAsync"/> and
/// <see cref="StopAsync"/>, read from a connection to another database (the admin one), so that the counting
/// itself is never counted.
/// </summary>
/// <remarks>
/// pg_stat_statements counts a statement when it ends, but a backend publishes its commit count to
/// pg_stat_database only from time to time (at least a second apart, up to ten seconds when idle) and when it
/// exits. So both ends of a window are taken with no client connection open to the database: the caller stops
/// what it measured, and this closes Npgsql's idle pooled connections and waits for their backends to exit.
/// </remarks>
internal sealed class RoundTripCounter(string adminConnectionString, string database, bool hasStatementStatistics)
{
    // Top level only: those are what the client sent. track=all also counts the statements run inside the server
    // on their behalf (the foreign-key checks of every insert into a job's tables), which cost no round trip.
    private const string StatementsSql = """
        SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = @database) AND toplevel AND query NOT ILIKE '%pg_stat_%'
        """;

    // The same statement on another host's schema is another entry: grouped by its text with the schema name taken out.
    private const string TopStatementsSql = """
        SELECT regexp_replace(query, '"?bench_[0-9]+"?\.', '', 'g') AS statement, toplevel, sum(calls)::bigint AS calls FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = @database) AND query NOT ILIKE '%pg_stat_%'
        GROUP BY statement, toplevel ORDER BY calls DESC LIMIT @top
        """;

    /// <summary>How many of the most frequent statements a count lists.</summary>
    private const int TopCount = 15;

    public bool HasStatementStatistics => hasStatementStatistics;

    /// <summary>Opens a window: no client on the database, statement counts reset, the commit count so far.</summary>
    public async Task<Window> StartAsync()
    {
        await WaitUntilNoClientAsync();
        await using var connection = await OpenAsync();
        if (hasStatementStatistics)
        {
            await using var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection);
            await reset.ExecuteNonQueryAsync();
        }

        return new Window(await CommitsAsync(connection));
    }

    /// <summary>Closes the window, once what was measured has stopped (its host disposed), and divides by the tasks.</summary>
    public async Task<RoundTrips> StopAsync(Window window, int tasks)
    {
        await WaitUntilNoClientAsync();
        await using var connection = await OpenAsync();
        var commits = await CommitsAsync(connection) - window.CommitsBefore;
        var perTask = (double)Math.Max(1, tasks);
        double? statements = null;
        var top = new List<StatementCount>();
        if (hasStatementStatistics)
        {
            await using var command = new NpgsqlCommand(StatementsSql, connection);
            command.Parameters.AddWithValue("database", database);
            statements = (long)(await command.ExecuteScalarAsync())!;

            await using var topCommand = new NpgsqlCommand(TopStatementsSql, connection);
            topCommand.Parameters.AddWithValue("database", database);
            topCommand.Parameters.AddWithValue("top", TopCount);
            await using var reader = await topCommand.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                top.Add(new StatementCount(reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2) / perTask));
            }
        }

        return new RoundTrips(statements / perTask, commits / perTask, top);
    }

    private async Task<long> CommitsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = @database", connection);
        command.Parameters.AddWithValue("database", database);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Closes the idle pooled connections and waits until the database's client backends have exited (their counts published).</summary>
    private async Task WaitUntilNoClientAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @database AND backend_type = 'client backend'", connection);
        command.Parameters.AddWithValue("database", database);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((long)(await command.ExecuteScalarAsync())! > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Connections to {database} stayed open for 30 s after their host stopped: the counts would be incomplete.");
            }

            await Task.Delay(20);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>An open window: the database's commit count when it opened.</summary>
    internal sealed record Window(long CommitsBefore);
}
