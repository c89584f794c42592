using System.Globalization;
using Scenario.Receiver.Benchmarks.Load;

namespace Scenario.Receiver.Benchmarks.SideBySide;

/// <summary>The side-by-side run's knobs, from <c>-- side-by-side [--name value]…</c>; bounded in time and count.</summary>
internal sealed record SideBySideOptions
{
    public LoadStorage Storage { get; init; } = LoadStorage.InMemory;

    public int Rounds { get; init; } = 3;

    public int Concurrency { get; init; } = 32;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Tasks run to completion per entry and round.</summary>
    public int Tasks { get; init; } = 2000;

    public int WarmupTasks { get; init; } = 200;

    /// <summary>Hangfire workers: Hangfire's own default, 5 per core up to 20.</summary>
    public int WorkerCount { get; init; } = Math.Min(Environment.ProcessorCount * 5, 20);

    /// <summary>PostgreSQL only: how long the host gets no request before the burst (0 skips the burst); a minute in the recorded run.</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many RestCalls the burst sends at once.</summary>
    public int Burst { get; init; } = 8;

    /// <summary>The longest any one step may take before the run fails instead of hanging.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public string? Output { get; init; }

    /// <summary>
    /// The entries measured, all three by default; one alone (<c>--only c</c>) to profile it without the others' samples
    /// (the ratios then need (b) in the list).
    /// </summary>
    public SideBySideEntry[] Entries { get; init; } = Enum.GetValues<SideBySideEntry>();

    public static SideBySideOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SideBySideOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.Parse(value, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--storage" => options with { Storage = LoadStorageNames.Parse(value) },
                "--rounds" => options with { Rounds = Number() },
                "--concurrency" => options with { Concurrency = Number() },
                "--warmup-seconds" => options with { Warmup = TimeSpan.FromSeconds(Number()) },
                "--seconds" => options with { Measure = TimeSpan.FromSeconds(Number()) },
                "--tasks" => options with { Tasks = Number() },
                "--warmup-tasks" => options with { WarmupTasks = Number() },
                "--workers" => options with { WorkerCount = Number() },
                "--idle-seconds" => options with { Idle = TimeSpan.FromSeconds(Number()) },
                "--burst" => options with { Burst = Number() },
                "--out" => options with { Output = value },
                "--only" => options with { Entries = [.. value.Split(',').Select(EntryByLetter)] },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Known: --storage --rounds --concurrency --warmup-seconds --seconds --tasks --warmup-tasks --workers --idle-seconds --burst --out --only."),
            };
        }

        return options;
    }

    private static SideBySideEntry EntryByLetter(string letter) => letter switch
    {
        "b" => SideBySideEntry.HandWritten,
        "c" => SideBySideEntry.Mvc,
        "m" => SideBySideEntry.MinimalApi,
        _ => throw new ArgumentException($"--only takes entry letters b, c, m (comma-separated), not '{letter}'."),
    };
}
