using System.Globalization;
using System.Runtime.CompilerServices;
using Hangfire;
using Scenario.Receiver.Tasks.InMemory;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// Which task store the test hosts use. By default the one a user's host would choose: the in-memory store on
/// Hangfire.InMemory, the generic one on any other storage. With <c>SCENARIO_TEST_TASK_STORE=postgresql</c> (the
/// second pass of .ci/run) every <see cref="ReceiverTestHost"/> keeps its tasks in a PostgreSQL table instead; with
/// <c>SCENARIO_TEST_TASK_STORE=hangfire</c> (the third) in Hangfire's hashes whatever its storage, so the whole
/// guarantee suite runs on all three stores. Hosts that
/// share a Hangfire storage share a schema, as instances sharing a database would; every other host has its own.
/// A host on Hangfire's PostgreSQL storage keeps its tasks in that database; the others in one of a server
/// started for the run.
/// </summary>
internal static class TaskStoreUnderTest
{
    public const string EnvironmentVariable = "SCENARIO_TEST_TASK_STORE";

    private static readonly ConditionalWeakTable<JobStorage, string> SchemaByStorage = [];
    private static readonly ConditionalWeakTable<JobStorage, string> DatabaseByStorage = [];
    private static readonly Lazy<Task<(PostgresServer Server, string ConnectionString)>> Database = new(StartDatabaseAsync);
    private static int _schemas;

    private static readonly ConditionalWeakTable<JobStorage, InMemoryTaskTable> InMemoryTables = [];

    /// <summary>
    /// The in-memory task table of the hosts on <paramref name="storage"/>: hosts that share a Hangfire.InMemory storage
    /// share its table, as instances sharing a database share its records (the receiver keeps no table per storage itself).
    /// </summary>
    public static InMemoryTaskTable InMemoryTableFor(JobStorage storage) => InMemoryTables.GetValue(storage, _ => new InMemoryTaskTable());

    public static bool IsPostgreSql
        => string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "postgresql", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the hosts are held to the generic store, which they would otherwise choose only on storages other than Hangfire.InMemory.</summary>
    public static bool IsGeneric
        => string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "hangfire", StringComparison.OrdinalIgnoreCase);

    /// <summary>What the log's exception says when a host's <see cref="UnreachableStorage"/> (and so its task store) is down.</summary>
    public static string StorageDownError => IsPostgreSql ? "Failed to connect to 127.0.0.1:1" : "The job storage cannot be reached.";

    /// <summary>The settings that put a host on the store under test; none for the generic one.</summary>
    public static async Task<IReadOnlyDictionary<string, string?>> SettingsForAsync(JobStorage storage)
    {
        if (!IsPostgreSql)
        {
            return new Dictionary<string, string?>();
        }

        if (storage is UnreachableStorage)
        {
            // A storage outage is one of the task store too: port 1 on loopback refuses every connection.
            return new Dictionary<string, string?> { ["Scenario:TaskStore:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=none;Timeout=1" };
        }

        // On Hangfire's PostgreSQL storage, in the same database and the default schema, as the sample does: an
        // outage of it is one of both, and instances that build storages of their own on it share the tasks.
        if (DatabaseByStorage.TryGetValue(storage, out var sameDatabase))
        {
            return new Dictionary<string, string?> { ["Scenario:TaskStore:ConnectionString"] = sameDatabase };
        }

        var (_, connectionString) = await Database.Value;
        var schema = SchemaByStorage.GetValue(storage, _ => "tasks_" + Interlocked.Increment(ref _schemas).ToString(CultureInfo.InvariantCulture));
        return new Dictionary<string, string?>
        {
            ["Scenario:TaskStore:ConnectionString"] = connectionString,
            ["Scenario:TaskStore:Schema"] = schema,
        };
    }

    /// <summary>Says which database a Hangfire PostgreSQL storage of a test is in.</summary>
    public static void RememberDatabase(JobStorage storage, string connectionString) => DatabaseByStorage.AddOrUpdate(storage, connectionString);

    private static async Task<(PostgresServer, string)> StartDatabaseAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        if (!server.IsAvailable)
        {
            throw new InvalidOperationException($"{EnvironmentVariable}=postgresql needs a PostgreSQL server: {server.UnavailableReason}");
        }

        // One server for the run, stopped with the test process.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().GetAwaiter().GetResult();
        return (server, await server.CreateDatabaseAsync());
    }
}
