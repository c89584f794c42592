namespace Scenario.Receiver.Benchmarks.Postgres;

/// <summary>
/// What a measurement cost the database, per task: statements (pg_stat_statements' calls of the top-level
/// statements, those the client sent, BEGIN, COMMIT and Npgsql's DISCARD ALL included; null when the extension
/// is not there) and commits (pg_stat_database's xact_commit, which counts a lone statement outside an explicit
/// transaction as one commit too). <see cref="TopStatements"/> says where the statements come from: the most
/// frequent, normalized as pg_stat_statements shows them, with their calls per task (empty without the extension).
/// </summary>
internal sealed record RoundTrips(double? StatementsPerTask, double CommitsPerTask, IReadOnlyList<StatementCount> TopStatements);

/// <summary>
/// One normalized statement (parameters as $1, $2…), whether the client sent it (top level) or the server ran it
/// on a statement's behalf (a foreign-key check, say), and how often it ran per task.
/// </summary>
internal sealed record StatementCount(string Query, bool TopLevel, double PerTask);
