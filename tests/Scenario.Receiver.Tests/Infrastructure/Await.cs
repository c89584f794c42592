namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>Awaits a condition with a timeout, never a fixed sleep.</summary>
public static class Await
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// For state that raises no event (Hangfire's storage, a probe's counter): re-checks on a short
    /// interval until the condition holds, and fails with what was awaited at the timeout.
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>The same, for a condition that needs I/O to check (a query, an HTTP probe).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
