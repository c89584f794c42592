using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// Memory over time with many deferred tasks on Hangfire.InMemory (issue 20, item 8): each deferred task asks
/// Scenario every poll interval whether it cancelled the task, one Hangfire job per question. The run holds
/// <c>--tasks</c> deferred tasks for <c>--minutes</c> and prints the GC heap after a full collection, the
/// working set and the storage's job counts every <c>--sample-seconds</c>; flat means nothing a question leaves
/// behind accumulates.
/// <code>dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- deferred-memory --tasks 2000 --minutes 3 --poll-interval 00:00:05</code>
/// </summary>
internal static class DeferredMemory
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tasks = int.Parse(Option(args, "--tasks", "2000"), CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromMinutes(double.Parse(Option(args, "--minutes", "3"), CultureInfo.InvariantCulture));
        var pollInterval = TimeSpan.Parse(Option(args, "--poll-interval", "00:00:05"), CultureInfo.InvariantCulture);
        var sampleEvery = TimeSpan.FromSeconds(double.Parse(Option(args, "--sample-seconds", "15"), CultureInfo.InvariantCulture));

        // Scenario's polling API, answering "not cancelled" without recording anything: the Testing stand-in keeps
        // every request it receives, which would itself grow by one entry per question.
        long questions = 0;
        await using var scenario = await StartScenarioAsync(() => Interlocked.Increment(ref questions));
        var storage = new InMemoryStorage();
        await using var receiver = await StartReceiverAsync(scenario.Urls.First(), storage, pollInterval);
        using var client = new HttpClient { BaseAddress = new Uri(receiver.Urls.First()) };
        var restCall = new ScenarioRestCall(client);

        Console.WriteLine($"deferred-memory: {tasks} deferred tasks on Hangfire.InMemory, Cancellation:PollInterval {pollInterval:c}, {duration.TotalMinutes:0.#} min, a sample every {sampleEvery.TotalSeconds:0} s; {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}.");
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, tasks).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    var call = await restCall.PostAsync("/defer", null);
                    if (call.StatusCode != System.Net.HttpStatusCode.Accepted)
                    {
                        throw new InvalidOperationException($"A RestCall was answered {(int)call.StatusCode}: {call.Body}");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        Console.WriteLine("| minute | GC heap after full GC (MB) | working set (MB) | scheduled | succeeded | deleted | questions to Scenario so far |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(sampleEvery);
        do
        {
            var heap = GC.GetTotalMemory(forceFullCollection: true);
            using var process = Process.GetCurrentProcess();
            var stats = storage.GetMonitoringApi().GetStatistics();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {clock.Elapsed.TotalMinutes:0.00} | {heap / 1e6:0.0} | {process.WorkingSet64 / 1e6:0} | {stats.Scheduled} | {stats.Succeeded} | {stats.Deleted} | {Interlocked.Read(ref questions)} |"));
        }
        while (clock.Elapsed < duration && await timer.WaitForNextTickAsync());

        return 0;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    private static async Task<WebApplication> StartScenarioAsync(Action onQuestion)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/polling/api/Cancelled", () =>
        {
            onQuestion();
            return Results.Json(new { isCancelled = false });
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<WebApplication> StartReceiverAsync(string scenario, JobStorage storage, TimeSpan pollInterval)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        IsolatedHangfire.Add(builder.Services, storage);
        builder.Services.AddHangfireServer(options => options.SchedulePollingInterval = TimeSpan.FromSeconds(1));
        builder.Services.AddScenarioReceiver(options =>
        {
            options.BaseUrl = new Uri(scenario);
            options.ApiKey = "bench-key";
            options.Cancellation.PollInterval = pollInterval;
        });
        var app = builder.Build();
        app.UseScenarioTaskContext();
        app.MapPost("/defer", () => ScenarioResults.Deferred(TimeSpan.FromHours(1))).WithScenarioLongRunning();
        await app.StartAsync();
        return app;
    }
}
