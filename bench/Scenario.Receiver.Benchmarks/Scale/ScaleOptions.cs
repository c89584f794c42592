using System.Globalization;
using Scenario.Receiver.Benchmarks.Load;

namespace Scenario.Receiver.Benchmarks.Scale;

/// <summary>The scale run's knobs, from <c>-- scale [--name value]…</c>; bounded in time and count.</summary>
internal sealed record ScaleOptions
{
    public LoadStorage Storage { get; init; } = LoadStorage.InMemory;

    /// <summary>Deferred tasks held pending in the second half of the run.</summary>
    public int Pending { get; init; } = 10_000;

    /// <summary>Each idle window: no request, the receiver and its Hangfire server left to themselves.</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A pause before each idle window, so the work of the step before it has ended.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan AcceptSeconds { get; init; } = TimeSpan.FromSeconds(5);

    public int Concurrency { get; init; } = 16;

    /// <summary>Accept bursts per receiver (pending, empty), alternated.</summary>
    public int AcceptRounds { get; init; } = 3;

    /// <summary>Pending tasks completed through IScenarioTaskCompletion at the end.</summary>
    public int Callbacks { get; init; } = 200;

    public int CallbackConcurrency { get; init; } = 8;

    /// <summary>How long the run waits for the callbacks' statuses to reach Scenario before it reports how many did.</summary>
    public TimeSpan CallbackWait { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary><c>SweepInterval</c>; null keeps the library's default.</summary>
    public TimeSpan? SweepInterval { get; init; }

    /// <summary><c>Cancellation:PollInterval</c>; null keeps the library's default.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary><c>--poll-interval off</c>: no cancellation questions at all, so an idle window measures what pending tasks cost apart from them.</summary>
    public bool PollingOff { get; init; }

    /// <summary><c>Cancellation:MaxQueriesPerSecond</c>; null keeps the library's default.</summary>
    public double? MaxQueriesPerSecond { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>After the fill, how long the run waits for every work job to have run (the queue empty) before it goes on regardless.</summary>
    public TimeSpan FillWait { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>After an accept burst, how long the run waits for the queue to empty before the next burst.</summary>
    public TimeSpan AcceptDrainWait { get; init; } = TimeSpan.FromSeconds(10);

    public string? Output { get; init; }

    /// <summary>Timed requests of each Scenario page of the dashboard, with the tasks pending.</summary>
    public int DashboardRequests { get; init; } = 20;

    /// <summary>
    /// <c>--only dashboard</c>: the fill and the dashboard's timings alone, without the idle windows, the accept rounds and
    /// the callbacks (a few minutes less on a shared machine); null runs everything.
    /// </summary>
    public string? Only { get; init; }

    public bool DashboardOnly => Only == "dashboard";

    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.Parse(value, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--storage" => options with { Storage = LoadStorageNames.Parse(value) },
                "--pending" => options with { Pending = Number() },
                "--idle-seconds" => options with { Idle = TimeSpan.FromSeconds(Number()) },
                "--settle-seconds" => options with { Settle = TimeSpan.FromSeconds(Number()) },
                "--accept-seconds" => options with { AcceptSeconds = TimeSpan.FromSeconds(Number()) },
                "--concurrency" => options with { Concurrency = Number() },
                "--accept-rounds" => options with { AcceptRounds = Number() },
                "--callbacks" => options with { Callbacks = Number() },
                "--fill-wait-seconds" => options with { FillWait = TimeSpan.FromSeconds(Number()) },
                "--sweep-interval" => options with { SweepInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture) },
                "--poll-interval" => value == "off"
                    ? options with { PollingOff = true }
                    : options with { PollInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture) },
                "--max-queries-per-second" => options with { MaxQueriesPerSecond = double.Parse(value, CultureInfo.InvariantCulture) },
                "--out" => options with { Output = value },
                "--dashboard-requests" => options with { DashboardRequests = Number() },
                "--only" => value == "dashboard" ? options with { Only = value } : throw new ArgumentException($"--only {value}: only 'dashboard' is known."),
                _ => throw new ArgumentException($"Unknown option {args[i]}. Known: --storage --pending --idle-seconds --settle-seconds --accept-seconds --accept-rounds --concurrency --callbacks --fill-wait-seconds --sweep-interval --poll-interval (a time span or off) --max-queries-per-second --dashboard-requests --only --out."),
            };
        }

        return options;
    }
}
