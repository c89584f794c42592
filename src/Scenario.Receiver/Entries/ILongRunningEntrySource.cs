using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Entries;

/// <summary>An entry point's adapter, seen by the catalog: the long-running endpoints it found at start-up.</summary>
internal interface ILongRunningEntrySource
{
    /// <summary>Every long-running endpoint of this entry point; throws when one cannot run in a job.</summary>
    IEnumerable<ILongRunningEntry> Discover();

    /// <summary>Whether this entry point runs the endpoint, so a <see cref="ScenarioLongRunningAttribute"/> on it takes effect.</summary>
    bool Handles(Endpoint endpoint);
}
