using Hangfire.Storage;

namespace Scenario.Receiver.Tasks.InMemory;

/// <summary>
/// One lock per key, made when it is first waited for and dropped when nobody holds or waits for it, so a
/// pending task costs no lock at all. Not tied to a thread: the report lock is held across an awaited post.
/// </summary>
internal sealed class KeyedLocks
{
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    /// <summary>How many keys have a lock now: held or waited for. Zero when the tasks are idle.</summary>
    internal int Count
    {
        get
        {
            lock (_holders)
            {
                return _holders.Count;
            }
        }
    }

    /// <summary>
    /// Throws <see cref="DistributedLockTimeoutException"/> after <paramref name="timeout"/>, as Hangfire's locks do, and
    /// <see cref="OperationCanceledException"/> once <paramref name="cancellationToken"/> is cancelled. Awaited, so a waiter
    /// holds no thread; completes synchronously when the lock is free.
    /// </summary>
    public async ValueTask<IDisposable> TakeAsync(string key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Holder holder;
        lock (_holders)
        {
            if (!_holders.TryGetValue(key, out holder!))
            {
                holder = new Holder();
                _holders.Add(key, holder);
            }

            holder.Users++;
        }

        bool taken;
        try
        {
            taken = await holder.Semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(key, holder);
            throw;
        }

        if (!taken)
        {
            Leave(key, holder);
            throw new DistributedLockTimeoutException(key);
        }

        return new Held(this, key, holder);
    }

    private void Leave(string key, Holder holder)
    {
        lock (_holders)
        {
            if (--holder.Users == 0)
            {
                _holders.Remove(key);
                holder.Semaphore.Dispose();
            }
        }
    }

    private sealed class Holder
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Who holds or waits for the lock; guarded by the dictionary's lock.</summary>
        public int Users { get; set; }
    }

    private sealed class Held(KeyedLocks locks, string key, Holder holder) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                holder.Semaphore.Release();
                locks.Leave(key, holder);
            }
        }
    }
}
