using Hangfire;
using Hangfire.Storage;
using Scenario.Receiver.Tasks.InMemory;

namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// Takes a Hangfire distributed lock on a thread of its own, and returns it there. Hangfire's lock API is synchronous: a
/// contended lock is a wait (Hangfire.PostgreSql and Hangfire.Redis.StackExchange poll with sleeps until the lock is free
/// or the timeout passes). On a request or pool thread, twenty requests for one task wait at once, the pool starves, and
/// the holder's own continuations cannot run until it grows (seen: duplicate RestCalls answered 503 after the accept
/// lock's timeout). A thread that belongs to the lock alone waits instead, and the caller awaits it.
/// </summary>
/// <remarks>
/// It also keeps each lock in one flow. Storages remember the locks a flow holds, to let it take one again re-entrantly:
/// Hangfire.Redis.StackExchange keeps a dictionary of held keys per thread, and takes a key it finds there as held
/// already, without locking. This store holds its locks across awaits: taken on one pool thread and returned on another,
/// a lock would leave its key in the first thread's dictionary, and the next flow to take it there would "hold" it
/// without locking. The lock's thread is started without the caller's execution context: nothing is shared.
/// Storages that return a lock through the connection that took it (Hangfire.PostgreSql) need the lock returned before
/// the connection is disposed, so the handle owns the connection: the lock's thread returns the lock, then disposes the
/// connection. Hangfire.InMemory keeps the direct call: its lock is an in-process wait, and a thread per lock would
/// cost more than it saves.
/// </remarks>
internal static class DistributedLockThread
{
    /// <summary>
    /// Takes <paramref name="resource"/> through <paramref name="connection"/>, on a thread of its own except on
    /// Hangfire.InMemory. The returned handle owns <paramref name="connection"/>: disposing it returns the lock, then
    /// disposes the connection; the caller disposes the connection itself only when this throws.
    /// </summary>
    public static async ValueTask<IDisposable> AcquireAsync(JobStorage storage, IStorageConnection connection, string resource, TimeSpan timeout)
    {
        if (InMemoryTaskStore.IsFor(storage))
        {
            return new HeldInline(connection.AcquireDistributedLock(resource, timeout), connection);
        }

        var holder = new LockThread(() => connection.AcquireDistributedLock(resource, timeout), connection);
        var thread = new Thread(holder.Run) { IsBackground = true, Name = "Scenario.Receiver lock" };

        // UnsafeStart: the thread starts with an empty execution context, nothing of the caller's flow.
        thread.UnsafeStart();
        await holder.Acquired.ConfigureAwait(false);
        return holder;
    }

    private sealed class HeldInline(IDisposable handle, IStorageConnection connection) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                handle.Dispose();
            }
            finally
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>
    /// The lock's thread: takes the lock, waits until the holder is done, returns the lock and disposes the connection.
    /// A failed acquire is handed to the awaiting caller, who still owns the connection then.
    /// </summary>
    private sealed class LockThread(Func<IDisposable> acquire, IStorageConnection connection) : IDisposable
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
            DisposeQuietly(handle);
            DisposeQuietly(connection);
        }

        public void Dispose() => _release.Set();

        /// <summary>
        /// An exception on this thread would end the process: no caller is left here to take it. The storage that does not
        /// answer the release (seen: a Redis timeout on a starved instance) lets the lock expire on its own after its lock
        /// timeout (Redis's key expiry, Hangfire.PostgreSql's DistributedLockTimeout); the holder is done and waits for nothing.
        /// </summary>
        private static void DisposeQuietly(IDisposable disposable)
        {
            try
            {
                disposable.Dispose();
            }
#pragma warning disable CA1031 // See the summary: nothing may leave this thread.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
