namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>Which Hangfire storage (b) and (c) run on in the load benchmark: <c>--storage inmemory|postgres</c>.</summary>
internal enum LoadStorage
{
    /// <summary>Hangfire.InMemory, a fresh storage per host (the default).</summary>
    InMemory,

    /// <summary>Hangfire.PostgreSql on a throwaway server, a fresh schema per host, the sample's options.</summary>
    Postgres,
}

internal static class LoadStorageNames
{
    public static LoadStorage Parse(string text) => text switch
    {
        "inmemory" => LoadStorage.InMemory,
        "postgres" => LoadStorage.Postgres,
        _ => throw new ArgumentException($"Unknown storage '{text}': use inmemory or postgres.", nameof(text)),
    };
}
