namespace Scenario.Receiver.Benchmarks.Postgres;

/// <summary>
/// What a measurement cost the database, per task: statements (pg_stat_statements' calls, BEGIN and COMMIT
/// included; null when the extension is not there) and commits (pg_stat_database's xact_commit, which counts a
/// lone statement outside an explicit transaction as one commit too).
/// </summary>
internal sealed record RoundTrips(double? StatementsPerTask, double CommitsPerTask);
