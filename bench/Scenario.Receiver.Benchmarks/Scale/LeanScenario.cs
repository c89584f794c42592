using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scenario.Receiver.Benchmarks.Scale;

/// <summary>
/// Scenario for the scale run: the task-statuses endpoint (counts what arrives, answers 204) and the polling API's
/// cancellation query (counts the questions, answers "not cancelled"). Unlike the Testing stand-in it keeps no
/// request: with 10,000 deferred tasks asking every poll interval, a stand-in that records each question would
/// itself grow and weigh on the process being measured.
/// </summary>
internal sealed class LeanScenario : IAsyncDisposable
{
    public const string ApiKey = "bench-key";

    private readonly WebApplication _app;
    private long _questions;
    private long _completed;
    private long _others;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LeanScenario(WebApplication app) => _app = app;

    public Uri BaseUrl => new(_app.Urls.First().TrimEnd('/') + "/");

    /// <summary>Cancellation queries answered so far.</summary>
    public long Questions => Interlocked.Read(ref _questions);

    /// <summary>Completed statuses received so far.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Statuses other than Completed (progress, Error…) received so far.</summary>
    public long OtherStatuses => Interlocked.Read(ref _others);

    /// <summary>Completes when <paramref name="more"/> Completed statuses have arrived after this call.</summary>
    public Task WhenMoreCompleted(long more)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, Completed + more);
        if (Completed >= Volatile.Read(ref _target))
        {
            _reached.TrySetResult();
        }

        return _reached.Task;
    }

    public static async Task<LeanScenario> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var scenario = new LeanScenario(app);
        app.MapGet("/taskstatus/api/ServiceStatus", () => Results.Ok());
        app.MapGet("/polling/api/ServiceStatus", () => Results.Ok());
        app.MapGet("/polling/api/Cancelled", () =>
        {
            Interlocked.Increment(ref scenario._questions);
            return Results.Text("""{"isCancelled":false}""", "application/json");
        });
        app.MapPost("/taskstatus/api/task-statuses", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var status = body.RootElement.TryGetProperty("status", out var value) ? value.GetString() : null;
            if (status == "Completed")
            {
                if (Interlocked.Increment(ref scenario._completed) >= Volatile.Read(ref scenario._target))
                {
                    scenario._reached.TrySetResult();
                }
            }
            else
            {
                Interlocked.Increment(ref scenario._others);
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        return scenario;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
