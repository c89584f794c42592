using System.Collections.Concurrent;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Hangfire's synchronous storage calls that a request would otherwise wait on (creating a task's work job: Hangfire's
/// client has no async path), run on the request's own thread while the thread pool can spare it
/// (<see cref="ThreadPoolHeadroom"/>), else on a few threads of the receiver's own. On pool threads alone, a burst of
/// RestCalls after an idle minute held every request thread in Hangfire.PostgreSql's job creation while the pool, shrunk
/// while idle, grew by a thread or two a second: no answer for 6–11 s (docs/benchmarks.md). On the receiver's threads
/// alone, every call paid two thread switches: about 2 × the hand-written code's CPU per accept under load.
/// </summary>
/// <remarks>
/// The caller's execution context flows to the call on the receiver's threads (the trace parent the job's client filter
/// captures, the log scope); inline it is the caller's own. The threads start on the first call that needs them, so a
/// host that never starves its pool, or is on Hangfire.InMemory (which calls inline, see WorkJobs), never has them.
/// </remarks>
internal sealed class StorageCallThreads : IDisposable
{
    /// <summary>At most this many storage calls run at once; more wait their turn, none on a pool thread.</summary>
    internal const int ThreadCount = 8;

    private readonly BlockingCollection<Action> _calls = new();
    private readonly ThreadPoolHeadroom _headroom = new();
    private readonly Lazy<Thread[]> _threads;

    public StorageCallThreads() => _threads = new Lazy<Thread[]>(StartThreads, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Runs <paramref name="call"/> on the calling thread if the pool can spare it, else on one of the threads, in the
    /// caller's execution context. Its exception, either way, is the returned task's.
    /// </summary>
    public ValueTask<T> RunAsync<T>(Func<T> call)
    {
        if (!_headroom.TryBeginBlockingCall())
        {
            return new ValueTask<T>(RunOnOwnThreadAsync(call));
        }

        try
        {
            return ValueTask.FromResult(call());
        }
#pragma warning disable CA1031 // Handed to the awaiting caller, as on the receiver's threads.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<T>(ex);
        }
        finally
        {
            _headroom.EndBlockingCall();
        }
    }

    public void Dispose() => _calls.CompleteAdding();

    private Task<T> RunOnOwnThreadAsync<T>(Func<T> call)
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
