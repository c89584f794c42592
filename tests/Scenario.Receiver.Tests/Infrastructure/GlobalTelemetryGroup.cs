namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// Tests that listen process-wide: an ActivityListener hears the activities of every host in the process, and a
/// MeterListener is told of every host's meter. Each keeps only what is its own (the activities tagged with its
/// task, the instruments of its host's IMeterFactory), and they run alone, after the parallel collections, so that
/// their sampling of every activity in the process does not slow the other tests' hosts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTelemetryGroup
{
    public const string Name = "Global telemetry";
}
