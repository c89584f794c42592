namespace Scenario.Receiver;

/// <summary>
/// Which store keeps the receiver's task records (<c>Scenario:TaskStore:Kind</c>, <see cref="ScenarioTaskStoreOptions.Kind"/>).
/// The start-up log (event 1804) says which one a host uses and why.
/// </summary>
public enum ScenarioTaskStoreKind
{
    /// <summary>
    /// The default: the PostgreSQL table store when <c>UsePostgreSqlTaskStore()</c> registered it (package
    /// Scenario.Receiver.PostgreSql) and <c>Scenario:TaskStore:ConnectionString</c> is set; else the process's memory
    /// when the Hangfire storage is Hangfire.InMemory; else Hangfire's own storage, through its generic API.
    /// </summary>
    Automatic,

    /// <summary>
    /// The process's memory. Only with Hangfire.InMemory's storage, which lives in this process alone: on any other
    /// storage the host does not start, as instances sharing that storage would not share their records.
    /// </summary>
    InMemory,

    /// <summary>Hangfire's own job storage, through its generic API (hashes, sets, distributed locks): works on every storage.</summary>
    Hangfire,

    /// <summary>
    /// The PostgreSQL table store of the package Scenario.Receiver.PostgreSql (<c>UsePostgreSqlTaskStore()</c>), in the database
    /// of <c>Scenario:TaskStore:ConnectionString</c>.
    /// </summary>
    PostgreSql,
}
