using Hangfire;
using Hangfire.Storage;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>A job storage whose server cannot be reached: every connection attempt fails, as a database outage would.</summary>
public sealed class UnreachableStorage : JobStorage
{
    public override IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException("The job storage cannot be reached.");

    public override IStorageConnection GetConnection() => throw new InvalidOperationException("The job storage cannot be reached.");
}
