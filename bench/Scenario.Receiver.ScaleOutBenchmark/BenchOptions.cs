using System.Globalization;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>The run's knobs, from <c>--name value</c> pairs; the defaults keep the run to about five minutes.</summary>
internal sealed record BenchOptions
{
    /// <summary>Rounds of the throughput measurement; the variants alternate within each round.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Tasks per throughput measurement, after a warm-up.</summary>
    public int Tasks { get; init; } = 1000;

    public int WarmupTasks { get; init; } = 200;

    /// <summary>RestCalls in flight at once, spread over the instances in turn as a load balancer would.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Hangfire workers per instance; null for Hangfire's default (5 per core, at most 20).</summary>
    public int? Workers { get; init; }

    /// <summary>Instances killed and taken over; each takes about a minute (the invisibility timeout).</summary>
    public int TakeoverRounds { get; init; } = 2;

    /// <summary>Tasks running on the instance when it is killed.</summary>
    public int TakeoverTasks { get; init; } = 10;

    /// <summary>How long each of those tasks works, so that all still run at the kill.</summary>
    public TimeSpan TakeoverWork { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A connection string to an existing server's maintenance database; null to start a throwaway server.</summary>
    public string? Postgres { get; init; }

    /// <summary>Which set-ups to measure (all by default): inmemory-1, postgres-1, postgres-2; a subset is for profiling one.</summary>
    public IReadOnlySet<string> Setups { get; init; } = new HashSet<string>(["inmemory-1", "postgres-1", "postgres-2"], StringComparer.Ordinal);

    public string Output { get; init; } = Path.Combine("BenchmarkDotNet.Artifacts", "scale-out-results.md");

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.Parse(value, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = Number() },
                "--tasks" => options with { Tasks = Number() },
                "--warmup-tasks" => options with { WarmupTasks = Number() },
                "--concurrency" => options with { Concurrency = Number() },
                "--workers" => options with { Workers = Number() },
                "--takeover-rounds" => options with { TakeoverRounds = Number() },
                "--takeover-tasks" => options with { TakeoverTasks = Number() },
                "--takeover-work-seconds" => options with { TakeoverWork = TimeSpan.FromSeconds(Number()) },
                "--postgres" => options with { Postgres = value },
                "--setups" => options with { Setups = value.Split(',').ToHashSet(StringComparer.Ordinal) },
                "--out" => options with { Output = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Known: --rounds --tasks --warmup-tasks --concurrency --workers --takeover-rounds --takeover-tasks --takeover-work-seconds --postgres --setups --out."),
            };
        }

        return options;
    }
}
