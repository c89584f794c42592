using Hangfire.Storage;
using Npgsql;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The report lock on PostgreSQL: a lease in the task's row, taken with one statement that also returns the
/// record, and returned by the statement that marks the task reported. Not a transaction held open across the
/// post to Scenario: a storage blink during the post must not release the lock while the mark is still to be
/// written. A holder that dies leaves the lease to expire after <see cref="ITaskStore.ReportLockTimeout"/>; one cut off
/// mid-post by a shutdown leaves it expired at once. Either way the next take finds the lease still there, and its
/// record says <see cref="TaskRecord.UnfinishedPost"/>: the lease is the mark, so a post costs no write of its own.
/// </summary>
internal sealed class PostgreSqlReportLease : IReportLock
{
    private readonly PostgreSqlTaskStore _store;
    private readonly string _id;
    private readonly Guid _lease;
    private readonly TaskRecord? _record;
    private bool _returned;
    private PostState _post;

    private PostgreSqlReportLease(PostgreSqlTaskStore store, string id, Guid lease, TaskRecord? record)
    {
        _store = store;
        _id = id;
        _lease = lease;
        _record = record;
    }

    /// <summary>The first wait for a lease another delivery holds; each further wait doubles.</summary>
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(5);

    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Takes the lease, waiting while another delivery holds it; throws as Hangfire's distributed lock does once
    /// <see cref="ITaskStore.ReportLockTimeout"/> has passed. The waits between tries are awaited with the caller's
    /// token: a waiting delivery holds no thread, and a shutdown ends the wait.
    /// </summary>
    public static async ValueTask<PostgreSqlReportLease> TakeAsync(PostgreSqlTaskStore store, string id, TimeProvider time, CancellationToken cancellationToken)
    {
        var waitedSince = time.GetTimestamp();
        var wait = FirstWait;
        while (true)
        {
            if (await TryTakeAsync(store, id, cancellationToken).ConfigureAwait(false) is { } lease)
            {
                return lease;
            }

            if (time.GetElapsedTime(waitedSince) >= store.ReportLockTimeout)
            {
                throw new DistributedLockTimeoutException($"{store.Table} report lease of task {id}");
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            wait = wait * 2 < LongestWait ? wait * 2 : LongestWait;
        }
    }

    /// <summary>The lease, or null while another delivery holds it.</summary>
    private static async ValueTask<PostgreSqlReportLease?> TryTakeAsync(PostgreSqlTaskStore store, string id, CancellationToken cancellationToken)
    {
        var lease = Guid.NewGuid();
        var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = PostgreSqlTaskConnections.Command(store.Sql.TakeReportLease, connection, id);
            command.Parameters.AddWithValue("lease", lease);
            command.Parameters.AddWithValue("timeout", store.ReportLockTimeout);
            store.AddRetention(command);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                var record = PostgreSqlTaskRow.Read(reader);
                var takenOver = reader.GetBoolean(reader.FieldCount - 1);
                return new PostgreSqlReportLease(store, id, lease, takenOver && record is not null ? record with { UnfinishedPost = true } : record);
            }
        }
    }

    public TaskRecord? Read() => _record;

    public ValueTask BeginPostAsync()
    {
        _post = PostState.InFlight;
        return ValueTask.CompletedTask;
    }

    public void PostAnswered() => _post = _post == PostState.InFlight ? PostState.Answered : _post;

    public ValueTask WriteDeliveryNoteAsync(DeliveryNote note) => _store.WriteDeliveryNoteAsync(_id, note);

    public async Task WriteReportedAsync(string status, DateTimeOffset reportedAt, Action<Exception, int, TimeSpan> onFailure, CancellationToken cancellationToken)
    {
        await StorageRetry.UntilWrittenAsync(
            async _ =>
            {
                var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    using var command = PostgreSqlTaskConnections.Command(_store.Sql.WriteReported, connection, _id);
                    command.Parameters.AddWithValue("status", status);
                    command.Parameters.AddWithValue("at", reportedAt.UtcDateTime);
                    command.Parameters.AddWithValue("lease", _lease);
                    _store.AddRetention(command);
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            },
            onFailure,
            cancellationToken).ConfigureAwait(false);
        _returned = true;
    }

    /// <summary>Returns the lease when no mark did; a failure here only leaves the lease to expire.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_returned)
        {
            return;
        }

        _returned = true;
        try
        {
            var connection = await _store.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // A post with no answer leaves the lease behind, expired: the next delivery goes at once and is told.
                using var command = PostgreSqlTaskConnections.Command(
                    _post == PostState.InFlight ? _store.Sql.AbandonReportLease : _store.Sql.ReturnReportLease, connection, _id);
                command.Parameters.AddWithValue("lease", _lease);
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            _store.LeaseNotReturned(ex, _id);
        }
    }
}
