namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Whether the thread pool can spare the calling thread for a blocking storage call (Hangfire's synchronous job
/// creation), or the call must go to <see cref="StorageCallThreads"/>. Handing every call to those threads kept a burst
/// after an idle minute from stalling, but cost about 2 × the hand-written code's CPU per accept under load, against
/// 1.2–1.3 × inline (two thread switches per accept on two saturated cores; docs/benchmarks.md). So a call blocks its
/// own thread while the pool has threads to spare, and only a starved or shrunk pool pays for the hand-off.
/// </summary>
/// <remarks>
/// The pool can spare the thread when both hold:
/// <list type="bullet">
/// <item>a thread of the pool is idle: another work item need not wait while this one blocks. It is the only sign of
/// blocking this library does not count itself (the application's own synchronous code).</item>
/// <item>after this call, the pool still has <see cref="FreeThreadsPerProcessor"/> threads per processor not held by the
/// blocking calls begun here. A burst's calls blocked in Hangfire.PostgreSql did not finish while every thread was
/// held: nothing was answered for 4.9–6.7 s, until the pool had grown to 9 threads (the hand-written code, from pools of
/// 3 to 8 threads, measured). The pool keeps about one thread per processor when
/// idle, so after an idle spell a burst goes to the receiver's threads; a pool grown by load (15–50 threads at 32
/// concurrent RestCalls on 2 cores, measured) takes most calls inline.</item>
/// </list>
/// <see cref="ThreadPool.PendingWorkItemCount"/> is not read: it counts the calling thread's own queued continuations
/// and the items idle threads are about to take, and was not zero at more than half the calls on a pool with 40 idle
/// threads (measured), where blocking cost nothing.
/// </remarks>
internal sealed class ThreadPoolHeadroom
{
    /// <summary>Pool threads kept free of the blocking calls begun here, per processor.</summary>
    internal const int FreeThreadsPerProcessor = 2;

    private int _blockingCalls;

    /// <summary>
    /// Claims the calling thread for one blocking call if the pool can spare it; the caller then ends it with
    /// <see cref="EndBlockingCall"/>. <see langword="false"/>: the call must run elsewhere.
    /// </summary>
    public bool TryBeginBlockingCall()
    {
        // Counted before the pool is read, so that calls deciding at the same moment each see the others.
        var blockingCalls = Interlocked.Increment(ref _blockingCalls);
        if (CanSpareCallingThread(PoolState.Read(blockingCalls)))
        {
            return true;
        }

        Interlocked.Decrement(ref _blockingCalls);
        return false;
    }

    public void EndBlockingCall() => Interlocked.Decrement(ref _blockingCalls);

    /// <summary>The rule, on a reading of the pool (see the remarks on the type).</summary>
    internal static bool CanSpareCallingThread(PoolState pool)
        => pool.IdleThreads >= 1 && pool.Threads - pool.BlockingCalls >= FreeThreadsPerProcessor * pool.Processors;

    /// <param name="Threads">The pool's threads (<see cref="ThreadPool.ThreadCount"/>).</param>
    /// <param name="BusyThreads">Those running a work item, this call's own included (the pool's maximum less its available threads).</param>
    /// <param name="BlockingCalls">The blocking calls begun here and not ended, this one included.</param>
    /// <param name="Processors">The processors the process may use.</param>
    internal readonly record struct PoolState(int Threads, int BusyThreads, int BlockingCalls, int Processors)
    {
        public int IdleThreads => Threads - BusyThreads;

        public static PoolState Read(int blockingCalls)
        {
            ThreadPool.GetMaxThreads(out var maxWorkers, out _);
            ThreadPool.GetAvailableThreads(out var availableWorkers, out _);
            return new PoolState(ThreadPool.ThreadCount, maxWorkers - availableWorkers, blockingCalls, Environment.ProcessorCount);
        }
    }
}
