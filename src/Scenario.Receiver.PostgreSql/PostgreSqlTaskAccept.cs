using Hangfire.Storage;
using Npgsql;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The PostgreSQL store's accept: claim the task's row, make the work job, record it, in one transaction whose row lock
/// stands for the generic store's accept lock. Apart from the store, because it is the one operation of the store that
/// holds a transaction open across the caller's code (<c>createWorkJob</c>), and so the one that must roll back on every
/// way out, cancellation included.
/// </summary>
internal sealed class PostgreSqlTaskAccept
{
    private readonly PostgreSqlTaskStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _sweepHorizon;

    public PostgreSqlTaskAccept(PostgreSqlTaskStore store, TimeProvider time, TimeSpan sweepHorizon)
    {
        _store = store;
        _time = time;
        _sweepHorizon = sweepHorizon;
    }

    /// <summary>
    /// In one transaction (two round trips, <see cref="PostgreSqlTaskSql.ClaimAccept"/>), so one commit besides the
    /// job's own where the generic store makes five: claims the task's row, makes the job and records it. A concurrent accept of the same task waits at its insert until
    /// this one commits, then finds the job; an accept that fails or dies rolls back and leaves nothing behind.
    /// </summary>
    public async ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken)
    {
        var id = taskInstanceId;
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                bool claimed;
                using (var claim = PostgreSqlTaskConnections.Command(_store.Sql.ClaimAccept, connection, id))
                {
                    claim.Parameters.AddWithValue("workflow", (object?)workflowInstanceId ?? DBNull.Value);
                    claim.Parameters.AddWithValue("statusUrl", (object?)statusUrl ?? DBNull.Value);
                    claim.Parameters.AddWithValue("queue", queue);
                    claim.Parameters.AddWithValue("entry", entryKey);
                    _store.AddRetention(claim);
                    claimed = await claim.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
                }

                if (!claimed)
                {
                    // Only a row with a job refuses the claim, and it was committed with it.
                    using var find = PostgreSqlTaskConnections.Command(_store.Sql.FindAcceptedAndCommit, connection, id);
                    await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return TaskAcceptance.Existing(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
                }

                var jobId = await createWorkJob().ConfigureAwait(false);
                using (var record = PostgreSqlTaskConnections.Command(_store.Sql.RecordAcceptedAndCommit, connection, id))
                {
                    var acceptedAt = _time.GetUtcNow();
                    record.Parameters.AddWithValue("job", jobId);
                    record.Parameters.AddWithValue("at", acceptedAt.UtcDateTime);
                    record.Parameters.AddWithValue("sweepAt", (acceptedAt + _sweepHorizon).UtcDateTime);
                    _store.AddRetention(record);

                    // Not the caller's token: the job exists now, and a rollback would leave it without its record.
                    await record.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }

                return TaskAcceptance.New(jobId);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await RollBackAsync(connection).ConfigureAwait(false);
                throw new DistributedLockTimeoutException($"{_store.Table} accept of task {taskInstanceId}");
            }
            catch
            {
                // The claim goes with the transaction: the next try (Scenario retries a 503) is accepted at once.
                await RollBackAsync(connection).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Ends an accept's transaction after a failure; a connection the failure broke is closed without it, and the
    /// server rolls back. Not the caller's token: a cancelled accept must still leave no claim behind.
    /// </summary>
    private static async ValueTask RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is broken: closing it ends the transaction on the server.
        }
    }
}
