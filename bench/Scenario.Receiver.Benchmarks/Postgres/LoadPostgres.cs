using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Scenario.Receiver.ScaleOutBenchmark;

namespace Scenario.Receiver.Benchmarks.Postgres;

/// <summary>
/// The load benchmark's PostgreSQL: one throwaway server and one database for the whole run, and a fresh,
/// empty Hangfire schema for every host, with the sample's storage options, so that (b) and (c) start equal
/// in every round.
/// </summary>
internal sealed class LoadPostgres : IAsyncDisposable
{
    private readonly ThrowawayPostgres _server;
    private readonly string _connectionString;
    private readonly Dictionary<JobStorage, string> _schemaOf = [];
    private int _schemas;

    private LoadPostgres(ThrowawayPostgres server, string connectionString, RoundTripCounter roundTrips)
    {
        _server = server;
        Database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        _connectionString = connectionString;
        RoundTrips = roundTrips;
    }

    /// <summary>The run's database, for reading its statistics.</summary>
    public string Database { get; }

    /// <summary>A connection string to the admin database: statistics read there are never counted in the run's.</summary>
    public string AdminConnectionString => _server.AdminConnectionString;

    /// <summary>The server's CPU time so far (all its processes), or null when the run did not start it.</summary>
    public TimeSpan? ServerCpuTime() => _server.ServerCpuTime();

    /// <summary>Counts statements and commits on the run's database.</summary>
    public RoundTripCounter RoundTrips { get; }

    /// <summary>For the report: the server, the storage options, and how round trips are counted.</summary>
    public string Description => $"{_server.Description}; Hangfire.PostgreSql options as the sample's: {PostgresStorageSettings.Describe(PostgresStorageSettings.Create())}; "
        + (RoundTrips.HasStatementStatistics
            ? "round trips from pg_stat_statements (track=all) and pg_stat_database."
            : "pg_stat_statements is not installed: commits only (pg_stat_database), no statement counts.");

    public static async Task<LoadPostgres> StartAsync()
    {
        var server = await ThrowawayPostgres.StartAsync(existing: null, withStatementStatistics: true);
        try
        {
            var connectionString = await server.CreateDatabaseAsync("loadbench");
            var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
            return new LoadPostgres(server, connectionString, new RoundTripCounter(server.AdminConnectionString, database, server.HasStatementStatistics));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A storage on a new schema; its constructor creates the schema (PrepareSchemaIfNecessary), before any counting starts.</summary>
    public JobStorage CreateStorage()
    {
        var options = PostgresStorageSettings.Create();
        options.SchemaName = "bench_" + Interlocked.Increment(ref _schemas).ToString(CultureInfo.InvariantCulture);
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(_connectionString, options), options);
        _schemaOf[storage] = options.SchemaName;
        return storage;
    }

    /// <summary>
    /// (c)'s task store beside a storage from <see cref="CreateStorage"/>: the same database and schema (Hangfire has
    /// no table named task), as the sample puts it in Hangfire's database. Its table is made by (c)'s first accept,
    /// inside the measured window: one statement set per host, a few hundredths of a round trip per task.
    /// </summary>
    public ScenarioTaskStoreOptions TaskStoreFor(JobStorage storage)
        => new() { ConnectionString = _connectionString, Schema = _schemaOf[storage] };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
