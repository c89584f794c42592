namespace Scenario.Receiver;

/// <summary>
/// Where the receiver keeps what it knows of each task (<c>Scenario:TaskStore</c>): whether it was accepted, its
/// outcome, whether Scenario took its terminal status. By default in the process's memory when the job storage is
/// Hangfire.InMemory (which lives in this process alone), else in Hangfire's own job storage, through Hangfire's
/// generic API (hashes, sets and distributed locks), which works on every storage. With a PostgreSQL
/// <see cref="ConnectionString"/>, in one table of that database instead: a unique key dedupes RestCalls and
/// conditional updates decide and report each task, about half the round trips per task (docs/benchmarks.md).
/// </summary>
public sealed class ScenarioTaskStoreOptions
{
    /// <summary>Default of <see cref="Schema"/>.</summary>
    public const string DefaultSchema = "scenario_receiver";

    /// <summary>
    /// A PostgreSQL connection string (Npgsql's form, e.g. <c>Host=db;Database=jobs;Username=app;Password=…</c>);
    /// usually the one Hangfire.PostgreSql uses, so the instances that share the jobs share the tasks. Every
    /// instance must use the same database and <see cref="Schema"/>. Default empty: tasks live in memory on Hangfire.InMemory, else in Hangfire's storage.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema of the task table, created with it on first use (the user needs the right to create both, or
    /// a database administrator creates them from the statement in the README). Lower-case letters, digits and
    /// underscores. Default <see cref="DefaultSchema"/>.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;
}
