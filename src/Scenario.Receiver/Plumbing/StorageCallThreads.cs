using System.Collections.Concurrent;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Threads of the receiver's own for Hangfire's synchronous storage calls that a request would otherwise wait on
/// (creating a task's work job: Hangfire's client has no async path). On a pool thread, a burst of RestCalls after an idle
/// minute held every request thread in Hangfire.PostgreSql's job creation while the pool, shrunk while idle, grew by a
/// thread or two a second: no answer for 6–11 s (docs/benchmarks.md). Here the burst waits for the storage, not for the
/// pool, and the request threads stay free to answer.
/// </summary>
/// <remarks>
/// <para>
/// Why not inline while the pool can spare the thread (tried, docs/benchmarks.md): a creation blocked in
/// Hangfire.PostgreSql waits for a continuation of Npgsql's that the pool must run (its batch's write resumes on a pool
/// thread, seen in a trace, while the server waits for the client), and the pool runs work on no more threads than its
/// own goal, which .NET does not expose. Creations started inline while <see cref="ThreadPool.GetAvailableThreads"/>
/// showed 21 of 33 threads idle waited up to 17 s, finishing about one a second as the pool raised its goal; the MVC
/// entry, first on a fresh host, accepted 7 RestCalls a second.
/// </para>
/// <para>
/// Why as many as <see cref="MaxThreads"/>: with 8, creations queued behind each other at 32 concurrent RestCalls and
/// CPU per accept was 2–2.7 × the hand-written code's; with 32, 0.9–1.3 ×, as with the creation inline. The threads
/// start as calls find none waiting, so a host that never has more than a few creations at once has a few threads, and
/// a host on Hangfire.InMemory (which calls inline, see WorkJobs) has none. The caller's execution context flows to the
/// call (the trace parent the job's client filter captures, the log scope).
/// </para>
/// </remarks>
internal sealed class StorageCallThreads : IDisposable
{
    /// <summary>At most this many storage calls run at once; more wait their turn, none on a pool thread.</summary>
    internal const int MaxThreads = 32;

    private readonly BlockingCollection<Action> _calls = new();
    private readonly Lock _starting = new();
    private int _threads;
    private int _waitingThreads;

    /// <summary>The threads started so far.</summary>
    internal int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>Runs <paramref name="call"/> on one of the threads, in the caller's execution context.</summary>
    public Task<T> RunAsync<T>(Func<T> call)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = ExecutionContext.Capture();
        _calls.Add(() =>
        {
            try
            {
                result.SetResult(context is null ? call() : RunIn(context, call));
            }
#pragma warning disable CA1031 // Handed to the awaiting caller, who sees it as the call's own exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result.SetException(ex);
            }
        });
        StartThreadIfNoneWaits();
        return result.Task;
    }

    public void Dispose() => _calls.CompleteAdding();

    private static T RunIn<T>(ExecutionContext context, Func<T> call)
    {
        var state = new CallState<T>(call);
        ExecutionContext.Run(context, static state => ((CallState<T>)state!).Run(), state);
        return state.Result!;
    }

    /// <summary>More calls queued than threads waiting for one: one thread more, up to <see cref="MaxThreads"/>.</summary>
    private void StartThreadIfNoneWaits()
    {
        if (_calls.Count <= Volatile.Read(ref _waitingThreads))
        {
            return;
        }

        lock (_starting)
        {
            if (_threads == MaxThreads || _calls.Count <= Volatile.Read(ref _waitingThreads))
            {
                return;
            }

            // Counted as waiting from the start, so that the next call does not start another for the same need.
            Interlocked.Increment(ref _waitingThreads);
            _threads++;
            var thread = new Thread(Serve) { IsBackground = true, Name = "Scenario.Receiver storage call" };

            // UnsafeStart: the threads belong to no caller's flow; each call brings its own.
            thread.UnsafeStart();
        }
    }

    private void Serve()
    {
        // This thread is the storage calls' alone: it waits here for the next one, blocking no pool thread.
        while (_calls.TryTake(out var call, Timeout.Infinite))
        {
            Interlocked.Decrement(ref _waitingThreads);
            call();
            Interlocked.Increment(ref _waitingThreads);
        }
    }

    private sealed class CallState<T>(Func<T> call)
    {
        public T? Result { get; private set; }

        public void Run() => Result = call();
    }
}
