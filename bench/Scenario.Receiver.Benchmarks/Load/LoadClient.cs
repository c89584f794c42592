using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// A closed-loop HTTP load generator: <c>concurrency</c> workers, each sending the next request as soon as the
/// previous one is answered, over kept-alive loopback connections, until the deadline or the request budget.
/// Every request carries the same body and a fresh <c>X-Scenario-TaskInstanceId</c>, whatever the variant.
/// </summary>
internal sealed class LoadClient : IDisposable
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(PricingWork.RequestBody);
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly int _concurrency;

    public LoadClient(int concurrency)
    {
        _concurrency = concurrency;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Sends until <paramref name="duration"/> has passed or <paramref name="maxRequests"/> were sent, whichever is first.</summary>
    public async Task<LoadResult> RunAsync(Uri url, TimeSpan duration, int maxRequests)
    {
        var issued = 0;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        async Task<WorkerResult> WorkerAsync()
        {
            var latencies = new List<long>(4096);
            var failed = 0;
            while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref issued) <= maxRequests)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = new ByteArrayContent(Body) { Headers = { ContentType = JsonContentType } },
                };
                request.Headers.TryAddWithoutValidation("X-Scenario-TaskInstanceId", Guid.NewGuid().ToString("D"));
                request.Headers.TryAddWithoutValidation("X-Scenario-WorkflowInstanceId", "wf-bench");

                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await _http.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        latencies.Add(Stopwatch.GetTimestamp() - sent);
                    }
                    else
                    {
                        failed++;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    failed++;
                }
            }

            return new WorkerResult(latencies, failed);
        }

        var workers = await Task.WhenAll(Enumerable.Range(0, _concurrency).Select(_ => Task.Run(WorkerAsync)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = workers.SelectMany(w => w.Latencies).Select(ticks => ticks * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(all);
        return new LoadResult(all.Length, workers.Sum(w => w.Failed), elapsed, all);
    }

    public void Dispose() => _http.Dispose();

    private sealed record WorkerResult(List<long> Latencies, int Failed);
}

/// <summary>One measured burst: accepted (202) requests, failures, wall time, sorted latencies in ms.</summary>
internal sealed record LoadResult(int Accepted, int Failed, TimeSpan Elapsed, double[] SortedLatenciesMs)
{
    /// <summary>The whole process's CPU time during the burst (servers, client, runtime), when measured.</summary>
    public TimeSpan CpuTime { get; init; }

    public double AcceptsPerSecond => Accepted / Elapsed.TotalSeconds;

    public double CpuMicrosecondsPerRequest => CpuTime.TotalMicroseconds / Math.Max(1, Accepted + Failed);

    public double P50Ms => Percentile(0.50);

    public double P99Ms => Percentile(0.99);

    private double Percentile(double p)
        => SortedLatenciesMs.Length == 0 ? double.NaN : SortedLatenciesMs[Math.Min(SortedLatenciesMs.Length - 1, (int)Math.Ceiling(p * SortedLatenciesMs.Length) - 1)];
}
