namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>The three servers compared side by side.</summary>
internal enum Variant
{
    /// <summary>(a) a bare MVC action answering 202.</summary>
    Bare,

    /// <summary>(b) a hand-written action that enqueues the work with Hangfire, the job posting Completed.</summary>
    HandWritten,

    /// <summary>(c) the same action with [ScenarioLongRunning].</summary>
    Library,
}

internal static class VariantNames
{
    public static string Label(this Variant variant) => variant switch
    {
        Variant.Bare => "(a) bare 202",
        Variant.HandWritten => "(b) hand-written Hangfire",
        Variant.Library => "(c) [ScenarioLongRunning]",
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    public static Variant Parse(string text) => text switch
    {
        "a" => Variant.Bare,
        "b" => Variant.HandWritten,
        "c" => Variant.Library,
        _ => throw new ArgumentException($"Unknown variant '{text}': use a, b or c.", nameof(text)),
    };

    public static string Letter(this Variant variant) => variant switch
    {
        Variant.Bare => "a",
        Variant.HandWritten => "b",
        _ => "c",
    };
}
