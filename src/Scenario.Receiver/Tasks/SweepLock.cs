using Hangfire;
using Hangfire.Storage;
using Scenario.Receiver.Tasks.HangfireStorage;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// The locks that let one instance at a time sweep, or check deferred tasks for Scenario's cancellation, in Hangfire's
/// storage for every task store: taken once a round, so their round trips do not matter, and the instances share that
/// storage whatever holds their tasks. Held across awaits, so taken on a thread of their own (<see cref="DistributedLockThread"/>).
/// </summary>
internal static class SweepLock
{
    /// <summary>The sweeper's lock.</summary>
    public const string Sweep = "scenario:sweep-lock";

    /// <summary>The cancellation check's lock.</summary>
    public const string CancellationChecks = "scenario:cancellation-check-lock";

    /// <summary>Throws <see cref="DistributedLockTimeoutException"/> after <paramref name="timeout"/> while another instance holds <paramref name="resource"/>.</summary>
    public static async ValueTask<IDisposable> TakeAsync(JobStorage storage, string resource, TimeSpan timeout)
    {
        var connection = storage.GetConnection();
        try
        {
            // The handle owns the connection: disposing it returns the lock, then disposes the connection.
            return await DistributedLockThread.AcquireAsync(storage, connection, resource, timeout).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
