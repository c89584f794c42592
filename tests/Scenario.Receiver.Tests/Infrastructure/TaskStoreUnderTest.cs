using System.Globalization;
using System.Runtime.CompilerServices;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tasks.InMemory;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// The task store a <see cref="ReceiverTestHost"/> keeps its tasks in, chosen by the test. A guarantee test class is
/// abstract and takes one; a sealed class per store runs it (<c>…Tests_InMemoryStore</c>, <c>…_PostgreSqlStore</c>,
/// <c>…_HangfireStore</c>), so each result names its store and one <c>dotnet test</c> (or an IDE) runs all three.
/// Each of those classes carries the trait <c>TaskStore=InMemory|PostgreSql|Hangfire</c>: <c>dotnet test --filter
/// TaskStore!=PostgreSql</c> leaves out the PostgreSQL ones on a machine without PostgreSQL's server binaries.
/// The scale-out tests on Redis (<c>…_HangfireStoreOnRedis</c>) run the generic store on a storage of their own
/// (<see cref="ScaleOut.RedisScaleOutStorage"/>), the only store a host on Redis has.
/// </summary>
/// <remarks>
/// Hosts that share a Hangfire storage share a schema, as instances sharing a database would; every other host has
/// its own. A host on Hangfire's PostgreSQL storage keeps its tasks in that database; the others in one of the
/// run's <see cref="SharedPostgresServer"/>.
/// </remarks>
public sealed class TaskStoreUnderTest
{
    /// <summary>The trait that names a test's store; its values are the stores' <see cref="Name"/>s.</summary>
    public const string Trait = "TaskStore";

    /// <summary>
    /// The store the host chooses itself, as a user's would: the in-memory store on Hangfire.InMemory. On any other
    /// storage (a test's <see cref="UnreachableStorage"/>) that is the generic store, the in-memory one being for
    /// Hangfire.InMemory only.
    /// </summary>
    public static readonly TaskStoreUnderTest InMemory = new("InMemory");

    /// <summary>The PostgreSQL table store (<c>Scenario:TaskStore:ConnectionString</c>), whatever the Hangfire storage.</summary>
    public static readonly TaskStoreUnderTest PostgreSql = new("PostgreSql");

    /// <summary>The generic store, in Hangfire's hashes and locks, whatever the Hangfire storage.</summary>
    public static readonly TaskStoreUnderTest Hangfire = new("Hangfire");

    /// <summary>
    /// No store imposed: the host's own settings decide. For the tests that run once, because they name a store of
    /// their own (its connection string in their settings) or do not reach a store at all.
    /// </summary>
    public static readonly TaskStoreUnderTest AsConfigured = new("AsConfigured");

    private static readonly ConditionalWeakTable<JobStorage, string> SchemaByStorage = [];
    private static readonly ConditionalWeakTable<JobStorage, string> DatabaseByStorage = [];
    private static readonly Lazy<Task<string>> Database = new(CreateDatabaseAsync);
    private static int _schemas;

    private static readonly ConditionalWeakTable<JobStorage, InMemoryTaskTable> InMemoryTables = [];

    /// <summary>
    /// The in-memory task table of the hosts on <paramref name="storage"/>: hosts that share a Hangfire.InMemory storage
    /// share its table, as instances sharing a database share its records (the receiver keeps no table per storage itself).
    /// </summary>
    internal static InMemoryTaskTable InMemoryTableFor(JobStorage storage) => InMemoryTables.GetValue(storage, _ => new InMemoryTaskTable());

    private TaskStoreUnderTest(string name) => Name = name;

    /// <summary>The store's name, as in the test classes' names and the <see cref="Trait"/>.</summary>
    public string Name { get; }

    /// <summary>What the log's exception says when a host's <see cref="UnreachableStorage"/> (and so its task store) is down.</summary>
    public string StorageDownError => this == PostgreSql ? "Failed to connect to 127.0.0.1:1" : "The job storage cannot be reached.";

    /// <summary>Says which database a Hangfire PostgreSQL storage of a test is in.</summary>
    public static void RememberDatabase(JobStorage storage, string connectionString) => DatabaseByStorage.AddOrUpdate(storage, connectionString);

    /// <summary>The settings that put a host on <paramref name="storage"/> on this store; none but for the PostgreSQL one.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> SettingsForAsync(JobStorage storage)
    {
        if (this != PostgreSql)
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

        var connectionString = await Database.Value;
        var schema = SchemaByStorage.GetValue(storage, _ => "tasks_" + Interlocked.Increment(ref _schemas).ToString(CultureInfo.InvariantCulture));
        return new Dictionary<string, string?>
        {
            ["Scenario:TaskStore:ConnectionString"] = connectionString,
            ["Scenario:TaskStore:Schema"] = schema,
        };
    }

    /// <summary>
    /// Registers what the settings cannot say: the generic store, registered before the receiver so that its own
    /// choice (the in-memory store on Hangfire.InMemory) steps aside. A test that names a PostgreSQL store of its
    /// own in <paramref name="configuration"/> keeps it.
    /// </summary>
    public void AddTo(IServiceCollection services, IReadOnlyDictionary<string, string?> configuration)
    {
        if (this == Hangfire && string.IsNullOrWhiteSpace(configuration.GetValueOrDefault("Scenario:TaskStore:ConnectionString")))
        {
            services.AddSingleton<ITaskStore>(provider => ActivatorUtilities.CreateInstance<HangfireTaskStore>(provider));
        }
    }

    public override string ToString() => Name;

    private static async Task<string> CreateDatabaseAsync()
    {
        var server = await SharedPostgresServer.GetAsync();
        if (!server.IsAvailable)
        {
            throw new InvalidOperationException(
                $"The tests on the PostgreSQL task store need a PostgreSQL server: {server.UnavailableReason} Or leave them out: dotnet test --filter \"{Trait}!=PostgreSql\".");
        }

        return await server.CreateDatabaseAsync();
    }
}
