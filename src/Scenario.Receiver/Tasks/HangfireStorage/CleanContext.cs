namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// Runs a storage call on the thread pool with no execution context of the caller's. Some storages remember the
/// distributed locks a flow holds in an <see cref="AsyncLocal{T}"/> (Hangfire.Redis.StackExchange keeps a dictionary of
/// held keys there, and takes a key it finds in it as held already, re-entrantly). That dictionary lives in the
/// execution context, so every flow forked from a context that has one shares it: two deliveries forked from a job's
/// flow, where Hangfire took a lock before, would both "hold" the same task's report lock. This store holds its locks
/// across awaits, on behalf of one flow each, so it takes them where no such dictionary can be inherited.
/// </summary>
internal static class CleanContext
{
    public static Task<T> RunAsync<T>(Func<T> call)
    {
        // Undone on this thread at once, as SuppressFlow requires: only the task queued here starts without the context.
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(call);
        }
    }
}
