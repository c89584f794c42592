using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Scenario.Receiver.Benchmarks.Load;

namespace Scenario.Receiver.Benchmarks.Scale;

/// <summary>
/// How long the dashboard's Scenario page takes to answer with the pending tasks in the store (issue 24: "the page
/// answers within 1 s with 10,000 tasks"): each of its lists (all tasks, newest first; the oldest page, the deepest
/// offset; the largest page the page allows; each standing's list, its first page and its oldest) and a task's page (a deferred one, a
/// delivered one), and for comparison a page of Hangfire's own, each asked <c>requests</c> times in a row after one unmeasured request, over HTTP on loopback, the
/// whole body read. The receiver's Hangfire server and sweeper keep running meanwhile, as they would.
/// </summary>
internal static partial class DashboardTiming
{
    /// <summary>Where the benchmark's receiver maps Hangfire's dashboard.</summary>
    public const string DashboardPath = "/hangfire";

    /// <summary>The target the issue sets.</summary>
    public static readonly TimeSpan Target = TimeSpan.FromSeconds(1);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<IReadOnlyList<PageTiming>> MeasureAsync(Uri baseUrl, string deferredTaskId, int requests)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var first = await GetAsync(http, DashboardPath + "/scenario");
        var total = int.Parse(TotalPattern().Match(first).Groups["total"].Value, Invariant);
        var oldestFrom = Math.Max(0, total - 20);
        var oldest = await GetAsync(http, $"{DashboardPath}/scenario?from={oldestFrom}&count=20");

        // The oldest tasks are the warm-up's quick ones, delivered: their page is the other kind a task page shows.
        var deliveredTaskId = DeliveredRowPattern().Matches(oldest).Select(match => match.Groups["id"].Value).LastOrDefault();

        var pages = new List<(string Name, string Path)>
        {
            ("all tasks, first page (20)", DashboardPath + "/scenario"),
            ($"all tasks, oldest page (from {oldestFrom})", $"{DashboardPath}/scenario?from={oldestFrom}&count=20"),
            ("all tasks, largest page (500)", DashboardPath + "/scenario?count=500"),
        };

        // Each standing's list: its first page, and the oldest page of one that holds more than a page (the deepest offset).
        foreach (var (segment, label) in Standings)
        {
            var path = $"{DashboardPath}/scenario/{segment}";
            var inList = int.Parse(TotalPattern().Match(await GetAsync(http, path)).Groups["total"].Value, Invariant);
            pages.Add(($"{label}, first page (of {inList})", path));
            if (inList > 20)
            {
                pages.Add(($"{label}, oldest page (from {inList - 20})", $"{path}?from={inList - 20}&count=20"));
            }
        }

        pages.Add(("a deferred task's page", $"{DashboardPath}/scenario/tasks/{deferredTaskId}"));
        if (deliveredTaskId is not null)
        {
            pages.Add(("a delivered task's page", $"{DashboardPath}/scenario/tasks/{deliveredTaskId}"));
        }

        // For comparison, what the dashboard's layout and navigation (its counts of jobs) cost on a page of Hangfire's own.
        pages.Add(("Hangfire's own Jobs › Scheduled page (20 of the deadline jobs), for comparison", DashboardPath + "/jobs/scheduled"));

        var timings = new List<PageTiming>();
        foreach (var (name, path) in pages)
        {
            var body = await GetAsync(http, path);
            var times = new List<double>(requests);
            for (var i = 0; i < requests; i++)
            {
                var clock = Stopwatch.StartNew();
                body = await GetAsync(http, path);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            var timing = new PageTiming(name, path, body.Length, IsList(path) ? RowCount(body) : null, total, LoadBenchmark.Median(times), times[(int)Math.Ceiling(0.9 * times.Count) - 1], times[^1]);
            Console.WriteLine(string.Create(Invariant, $"dashboard {name}: median {timing.MedianMs:0.0} ms, slowest {timing.SlowestMs:0.0} ms, load average {LoadBenchmark.LoadAverage()}"));
            timings.Add(timing);
        }

        return timings;
    }

    /// <summary>A page, whole; anything but 200 ends the run, since a timing of an error page would mean nothing.</summary>
    private static async Task<string> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }

        return body;
    }

    private static int RowCount(string body) => RowPattern().Count(body);

    /// <summary>The standings' lists, by their path segments, as the page's side menu names them.</summary>
    private static readonly (string Segment, string Label)[] Standings =
    [
        ("running", "Running"),
        ("deferred", "Deferred"),
        ("awaiting-delivery", "Awaiting delivery"),
        ("needs-person", "Needs a person"),
        ("delivered", "Delivered"),
        ("cancelled", "Cancelled by Scenario"),
    ];

    private static bool IsList(string path) => path.Contains("/scenario", StringComparison.Ordinal) && !path.Contains("/tasks/", StringComparison.Ordinal);

    [GeneratedRegex("<span class=\"scenario-total\">[^<]* of (?<total>[0-9]+)</span>")]
    private static partial Regex TotalPattern();

    [GeneratedRegex("<tr data-task=\"")]
    private static partial Regex RowPattern();

    [GeneratedRegex("<tr data-task=\"(?<id>[0-9a-f-]{36})\" data-standing=\"Delivered\">")]
    private static partial Regex DeliveredRowPattern();
}

/// <summary>One page's timing: its size, the task rows it shows (a list), the tasks the store holds, and the times of its requests.</summary>
internal sealed record PageTiming(string Name, string Path, int Characters, int? Rows, int TasksInStore, double MedianMs, double P90Ms, double SlowestMs)
{
    public string Row()
        => string.Create(CultureInfo.InvariantCulture, $"| {Name} | `{Path}` | {(Rows is { } rows ? rows.ToString(CultureInfo.InvariantCulture) : "–")} | {Characters / 1024.0:0} | {MedianMs:0.0} | {P90Ms:0.0} | {SlowestMs:0.0} | {(SlowestMs < DashboardTiming.Target.TotalMilliseconds ? "yes" : "**no**")} |");
}
