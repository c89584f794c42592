namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// Tests that count what the library's static Meter records. A MeterListener hears every host in the
/// process, so these run alone, after the parallel collections: then every measurement they see is
/// their own and they can assert exact counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTelemetryGroup
{
    public const string Name = "Global telemetry";
}
