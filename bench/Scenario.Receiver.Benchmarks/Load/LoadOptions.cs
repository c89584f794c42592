using System.Globalization;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>The load run's knobs, from <c>-- load [--name value]…</c>; the defaults keep the run to about four minutes.</summary>
internal sealed record LoadOptions
{
    public int Rounds { get; init; } = 5;

    public int Concurrency { get; init; } = 32;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(4);

    public int EndToEndTasks { get; init; } = 5000;

    public int EndToEndWarmupTasks { get; init; } = 300;

    public int MemoryTasks { get; init; } = 5000;

    public int MemoryRounds { get; init; } = 3;

    /// <summary>Hangfire workers of (b) and (c): Hangfire's own default, 5 per core up to 20.</summary>
    public int WorkerCount { get; init; } = Math.Min(Environment.ProcessorCount * 5, 20);

    /// <summary>Which measurements to run: accept, e2e, memory (all by default); a subset is for profiling one of them.</summary>
    public IReadOnlySet<string> Phases { get; init; } = new HashSet<string>(["accept", "e2e", "memory"], StringComparer.Ordinal);

    /// <summary>Which variants to run (a, b, c; all by default): one alone is for profiling it.</summary>
    public IReadOnlySet<Variant> Variants { get; init; } = Enum.GetValues<Variant>().ToHashSet();

    /// <summary>(b) and (c)'s Hangfire storage; PostgreSQL runs the accept and end-to-end phases only (memory is measured on InMemory).</summary>
    public LoadStorage Storage { get; init; } = LoadStorage.InMemory;

    /// <summary>
    /// Where (c) keeps its task records: where the receiver chooses (<c>chosen</c>, the default: in memory on
    /// InMemory, the task table on PostgreSQL, as the sample configures it) or Hangfire's hashes and locks
    /// (<c>hangfire</c>, the generic store, for the before/after).
    /// </summary>
    public bool GenericTaskStore { get; init; }

    public string Output { get; init; } = Path.Combine("BenchmarkDotNet.Artifacts", "load-results.md");

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.Parse(value, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = Number() },
                "--concurrency" => options with { Concurrency = Number() },
                "--warmup-seconds" => options with { Warmup = TimeSpan.FromSeconds(Number()) },
                "--seconds" => options with { Measure = TimeSpan.FromSeconds(Number()) },
                "--tasks" => options with { EndToEndTasks = Number() },
                "--memory-tasks" => options with { MemoryTasks = Number() },
                "--memory-rounds" => options with { MemoryRounds = Number() },
                "--workers" => options with { WorkerCount = Number() },
                "--storage" => options with { Storage = LoadStorageNames.Parse(value) },
                "--task-store" => options with
                {
                    GenericTaskStore = value switch
                    {
                        "hangfire" => true,
                        "postgresql" or "in-memory" or "chosen" => false,
                        _ => throw new ArgumentException($"--task-store is hangfire, or chosen (the receiver's choice: in-memory on InMemory, postgresql on PostgreSQL), not {value}."),
                    },
                },
                "--out" => options with { Output = value },
                "--variants" => options with { Variants = value.Split(',').Select(VariantNames.Parse).ToHashSet() },
                "--phases" => options with { Phases = value.Split(',').ToHashSet(StringComparer.Ordinal) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Known: --rounds --concurrency --warmup-seconds --seconds --tasks --memory-tasks --memory-rounds --workers --phases --variants --storage --task-store --out."),
            };
        }

        return options;
    }
}
