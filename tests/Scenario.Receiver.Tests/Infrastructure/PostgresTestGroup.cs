namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// The tests that run against the throwaway PostgreSQL server: it starts once for all of them, and each
/// test takes a database of its own. Tests in one collection run one after another, which also keeps
/// the multi-instance tests from competing with each other for the machine's two cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
