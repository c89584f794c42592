using Hangfire;
using Hangfire.Storage;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// Takes and returns a Hangfire distributed lock on a thread of its own. Storages remember the locks a flow holds, to let
/// it take one again re-entrantly: Hangfire.Redis.StackExchange keeps a dictionary of held keys per thread (an
/// <see cref="AsyncLocal{T}"/> in some versions), and takes a key it finds there as held already, without locking. Hangfire's
/// own code takes and returns a lock on one thread, in one flow. This store holds its locks across awaits: taken on one
/// pool thread, returned on another, a lock would leave its key in the first thread's dictionary, and the next flow that
/// takes the same lock there, or a sibling flow forked from a context that has the dictionary, would "hold" it without
/// locking: two deliveries of one task, both posting. A thread that belongs to the lock alone, started without the
/// caller's execution context, takes it, waits, and returns it: nothing is shared, and nothing stale is left behind.
/// </summary>
/// <remarks>
/// A thread per held lock costs a thread's start (tens of microseconds) on the generic store's lock path, so only the
/// storages that keep held locks per thread get one: Hangfire.Redis.StackExchange's. Storages whose locks belong to the
/// connection that takes them (Hangfire.InMemory, Hangfire.PostgreSql, SQL Server) keep the direct call, and must: their
/// lock is returned through that connection, which the holder disposes right after returning the lock, so a lock
/// returned later, on its own thread, would find the connection gone and be left behind until it times out (seen:
/// decide-lock timeouts and 503 accepts on Hangfire.PostgreSql).
/// </remarks>
internal static class DistributedLockThread
{
    private const string RedisStorageNamespace = "Hangfire.Redis.";

    /// <summary>
    /// Takes <paramref name="resource"/> through <paramref name="connection"/>: on a thread of its own where
    /// <paramref name="storage"/> keeps held locks per thread, else on the caller's thread. The caller disposes the
    /// handle, then the connection.
    /// </summary>
    public static async ValueTask<IDisposable> AcquireAsync(JobStorage storage, IStorageConnection connection, string resource, TimeSpan timeout)
        => NeedsOwnThread(storage)
            ? await AcquireOnOwnThreadAsync(() => connection.AcquireDistributedLock(resource, timeout)).ConfigureAwait(false)
            : connection.AcquireDistributedLock(resource, timeout);

    /// <summary>Whether <paramref name="storage"/>'s locks need a thread of their own (see the remarks).</summary>
    private static bool NeedsOwnThread(JobStorage storage) => storage.GetType().FullName?.StartsWith(RedisStorageNamespace, StringComparison.Ordinal) == true;

    /// <summary>
    /// Runs <paramref name="acquire"/> on a thread of its own, which keeps the lock until the returned handle is disposed,
    /// then returns it there. <paramref name="acquire"/>'s exception (a <see cref="Hangfire.Storage.DistributedLockTimeoutException"/>) is the task's.
    /// </summary>
    private static async Task<IDisposable> AcquireOnOwnThreadAsync(Func<IDisposable> acquire)
    {
        var holder = new LockThread(acquire);
        var thread = new Thread(holder.Run) { IsBackground = true, Name = "Scenario.Receiver lock" };

        // UnsafeStart: the thread starts with an empty execution context, nothing of the caller's flow.
        thread.UnsafeStart();
        await holder.Acquired.ConfigureAwait(false);
        return holder;
    }

    private sealed class LockThread(Func<IDisposable> acquire) : IDisposable
    {
        private readonly TaskCompletionSource _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEvent _release = new(initialState: false);

        public Task Acquired => _acquired.Task;

        public void Run()
        {
            IDisposable handle;
            try
            {
                handle = acquire();
            }
#pragma warning disable CA1031 // Handed to the awaiting caller, who sees it as the acquire's own exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _acquired.SetException(ex);
                _release.Dispose();
                return;
            }

            _acquired.SetResult();

            // This thread is the lock's alone: it waits here, blocking no pool thread, until the holder is done.
            _release.WaitOne();
            _release.Dispose();
            handle.Dispose();
        }

        public void Dispose() => _release.Set();
    }
}
