using Hangfire;
using Hangfire.Storage;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// The lock that lets one instance sweep at a time, in Hangfire's storage for every task store: taken once a
/// sweep, so its round trips do not matter, and the instances share that storage whatever holds their tasks.
/// </summary>
internal static class SweepLock
{
    private const string Resource = "scenario:sweep-lock";

    /// <summary>Throws <see cref="DistributedLockTimeoutException"/> after <see cref="TaskLocks.SweepLockTimeout"/> while another instance sweeps.</summary>
    public static IDisposable Take(JobStorage storage)
    {
        var connection = storage.GetConnection();
        try
        {
            return new HeldLock(connection, connection.AcquireDistributedLock(Resource, TaskLocks.SweepLockTimeout));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private sealed class HeldLock(IStorageConnection connection, IDisposable distributedLock) : IDisposable
    {
        public void Dispose()
        {
            distributedLock.Dispose();
            connection.Dispose();
        }
    }
}
