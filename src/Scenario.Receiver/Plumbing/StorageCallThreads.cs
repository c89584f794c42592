using System.Collections.Concurrent;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// A few threads of the receiver's own for Hangfire's synchronous storage calls that a request would otherwise wait on
/// (creating a task's work job: Hangfire's client has no async path). On a pool thread, a burst of RestCalls after an idle
/// minute held every request thread in Hangfire.PostgreSql's job creation while the pool, shrunk while idle, grew by a
/// thread or two a second: no answer for 6–11 s (docs/benchmarks.md). Here the burst waits for the storage, not for the
/// pool, and the request threads stay free to answer.
/// </summary>
/// <remarks>
/// The caller's execution context flows to the call (the trace parent the job's client filter captures, the log scope).
/// The threads start on the first call, so a host on Hangfire.InMemory, which calls inline, never has them.
/// </remarks>
internal sealed class StorageCallThreads : IDisposable
{
    /// <summary>At most this many storage calls run at once; more wait their turn, none on a pool thread.</summary>
    internal const int ThreadCount = 8;

    private readonly BlockingCollection<Action> _calls = new();
    private readonly Lazy<Thread[]> _threads;

    public StorageCallThreads() => _threads = new Lazy<Thread[]>(StartThreads, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs <paramref name="call"/> on one of the threads, in the caller's execution context.</summary>
    public Task<T> RunAsync<T>(Func<T> call)
    {
        _ = _threads.Value;
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
        return result.Task;
    }

    public void Dispose() => _calls.CompleteAdding();

    private static T RunIn<T>(ExecutionContext context, Func<T> call)
    {
        var state = new CallState<T>(call);
        ExecutionContext.Run(context, static state => ((CallState<T>)state!).Run(), state);
        return state.Result!;
    }

    private Thread[] StartThreads()
    {
        var threads = new Thread[ThreadCount];
        for (var i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(Serve) { IsBackground = true, Name = "Scenario.Receiver storage call" };

            // UnsafeStart: the threads belong to no caller's flow; each call brings its own.
            threads[i].UnsafeStart();
        }

        return threads;
    }

    private void Serve()
    {
        // This thread is the storage calls' alone: it waits here for the next one, blocking no pool thread.
        foreach (var call in _calls.GetConsumingEnumerable())
        {
            call();
        }
    }

    private sealed class CallState<T>(Func<T> call)
    {
        public T? Result { get; private set; }

        public void Run() => Result = call();
    }
}
