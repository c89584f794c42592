namespace Scenario.Receiver.Benchmarks.SideBySide;

/// <summary>The three entries of the side-by-side host: the same work, behind three routes of one host and one storage.</summary>
internal enum SideBySideEntry
{
    /// <summary>POST /work: the load benchmark's <see cref="Load.HandWrittenController"/>, which enqueues a Hangfire job that posts Completed itself.</summary>
    HandWritten,

    /// <summary>POST /mvc: the same action with [ScenarioLongRunning].</summary>
    Mvc,

    /// <summary>POST /minimal: the same work as a minimal-API handler with WithScenarioLongRunning().</summary>
    MinimalApi,
}

internal static class SideBySideEntryNames
{
    public static string Label(this SideBySideEntry entry) => entry switch
    {
        SideBySideEntry.HandWritten => "(b) hand-written Hangfire",
        SideBySideEntry.Mvc => "(c) MVC [ScenarioLongRunning]",
        SideBySideEntry.MinimalApi => "(m) minimal API WithScenarioLongRunning()",
        _ => throw new ArgumentOutOfRangeException(nameof(entry)),
    };

    public static string Path(this SideBySideEntry entry) => entry switch
    {
        SideBySideEntry.HandWritten => "work",
        SideBySideEntry.Mvc => "mvc",
        SideBySideEntry.MinimalApi => "minimal",
        _ => throw new ArgumentOutOfRangeException(nameof(entry)),
    };
}
