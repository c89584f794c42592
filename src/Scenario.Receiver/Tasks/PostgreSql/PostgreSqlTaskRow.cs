using System.Text.Json;
using Npgsql;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>Reads a task's row (the columns <see cref="PostgreSqlTaskSql"/> selects) as a <see cref="TaskRecord"/>.</summary>
internal static class PostgreSqlTaskRow
{
    /// <summary>
    /// The record at the reader's row, or null for a row that holds nothing yet: one made by a claim, a lock or a
    /// lease for a task no one accepted, which the generic store would not have either.
    /// </summary>
    public static TaskRecord? Read(NpgsqlDataReader reader)
    {
        var record = new TaskRecord(
            Text(reader, 1),
            Text(reader, 2),
            Text(reader, 3),
            Text(reader, 4),
            Text(reader, 5),
            Time(reader, 6),
            Text(reader, 7) is { } outcome ? JsonSerializer.Deserialize(outcome, TaskJsonContext.Default.TaskOutcome) : null,
            Text(reader, 8),
            Time(reader, 9),
            Time(reader, 10),
            Text(reader, 11),
            Time(reader, 12),
            Text(reader, 13),
            StatusUrl: Text(reader, 14),
            DecidedBy: Enum.TryParse<TaskDecider>(Text(reader, 15), out var decidedBy) ? decidedBy : null,
            ProgressUntil: Time(reader, 16));
        return record is { JobId: null, Outcome: null, ReportedAt: null, DeferredUntil: null, CancelledByScenarioAt: null }
            ? null
            : record;
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}
