using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Scenario.Receiver.Sample.Hosting;
using Scenario.Receiver.Sample.Pricing;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Sample.Demo;

/// <summary>
/// <c>--demo</c>: starts the app on a free loopback port, sends it three RestCalls exactly as Scenario would
/// (one to the controller action and one to the minimal-API endpoint that price a portfolio, one the engine
/// rejects), and a fourth that hands its portfolio to the batch system and defers its task, which the batch
/// system's callback then completes (and a second callback is refused with 409); waits until the embedded
/// Scenario has received the end of all four, prints every status it received and stops the app.
/// </summary>
internal static class DemoRunner
{
    /// <summary>The command-line switch that runs the demo.</summary>
    public const string Switch = "--demo";

    /// <summary>Kestrel on any free loopback port, so the demo never collides with another process.</summary>
    public const string Url = "http://127.0.0.1:0";

    private const string PricingRunsPath = "api/pricing/runs";
    private const string PricingQuotesPath = "api/pricing/quotes";
    private const string PricingBatchesPath = "api/pricing/batches";
    private const int DurationMs = 1500;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <returns>The process exit code: 0 when both tasks reached Scenario, 1 otherwise.</returns>
    public static async Task<int> RunAsync(WebApplication app, ScenarioStandIn scenario)
    {
        await app.StartAsync();
        try
        {
            // The bound address: the port is only known once Kestrel has started.
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            Console.WriteLine($"Pricing service on {address}, Scenario (embedded stand-in) on {scenario.BaseUrl}");

            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var restCall = new ScenarioRestCall(http);
            var onPurpose = app.Services.GetRequiredService<OnPurposeFailures>();
            var priced = await SendAsync(restCall, PricingRunsPath, new PricingRunRequest { Portfolio = "EQ-1", DurationMs = DurationMs }, onPurpose);
            var rejected = await SendAsync(restCall, PricingRunsPath, new PricingRunRequest { Portfolio = "EQ-2", DurationMs = DurationMs, Fail = true }, onPurpose);
            var quoted = await SendAsync(restCall, PricingQuotesPath, new PricingRunRequest { Portfolio = "EQ-3", DurationMs = DurationMs }, onPurpose);
            var batched = await SubmitBatchAsync(restCall, http);
            if (priced is null || rejected is null || quoted is null || batched is null)
            {
                return 1;
            }

            IReadOnlyList<ReceivedTaskStatus> statuses;
            try
            {
                statuses = await scenario.WaitForStatusesAsync(
                    received => HasEnded(received, priced) && HasEnded(received, rejected) && HasEnded(received, quoted) && HasEnded(received, batched),
                    Timeout);
            }
            catch (TimeoutException ex)
            {
                await Console.Error.WriteLineAsync($"Demo failed: {ex.Message}");
                return 1;
            }

            foreach (var status in statuses)
            {
                Console.WriteLine($"Scenario received: {ReceivedStatusLog.Describe(status)}");
            }

            // What operators see: the task status endpoint of any instance, and the health check.
            foreach (var taskInstanceId in new[] { priced, rejected, quoted, batched })
            {
                Console.WriteLine($"GET /scenario/tasks/{taskInstanceId} → {await ReportedTaskAsync(http, taskInstanceId)}");
            }

            using var health = await http.GetAsync("health");
            Console.WriteLine($"GET /health → {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
            return 0;
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <returns>The task instance id, or <see langword="null"/> when the service did not accept the call.</returns>
    private static async Task<string?> SendAsync(ScenarioRestCall restCall, string path, PricingRunRequest request, OnPurposeFailures onPurpose)
    {
        // The id is chosen here, as Scenario would, so that a failure asked for is known as such before it is logged.
        var taskInstanceId = Guid.NewGuid().ToString();
        if (request.Fail)
        {
            onPurpose.Add(taskInstanceId);
        }

        var response = await restCall.PostAsync(path, request, taskInstanceId);
        var fail = request.Fail ? ", fail" : string.Empty;
        Console.WriteLine($"RestCall: POST /{path} {{{request.Portfolio}, {request.DurationMs} ms{fail}}} → {(int)response.StatusCode} task {response.TaskInstanceId} job {response.JobId}");
        if (request.Fail)
        {
            Console.WriteLine($"  fails on purpose: the engine rejects {request.Portfolio}, so Scenario receives Error 500 for this task.");
        }

        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            await Console.Error.WriteLineAsync($"Demo failed: the service answered {(int)response.StatusCode} instead of 202 Accepted: {response.Body}");
            return null;
        }

        return response.TaskInstanceId;
    }

    /// <summary>
    /// The hand-off: the batch submission is accepted and deferred (Scenario hears nothing yet), then the batch
    /// system calls back with a price (200: it decided the outcome) and once more (409: the task had one).
    /// </summary>
    /// <returns>The task instance id, or <see langword="null"/> when a step did not answer as it should.</returns>
    private static async Task<string?> SubmitBatchAsync(ScenarioRestCall restCall, HttpClient http)
    {
        var response = await restCall.PostAsync(PricingBatchesPath, new { portfolio = "EQ-4", deadlineSeconds = 60 });
        Console.WriteLine($"RestCall: POST /{PricingBatchesPath} {{EQ-4, deadline 60 s}} → {(int)response.StatusCode} task {response.TaskInstanceId} job {response.JobId}");
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            await Console.Error.WriteLineAsync($"Demo failed: the service answered {(int)response.StatusCode} instead of 202 Accepted: {response.Body}");
            return null;
        }

        var taskInstanceId = response.TaskInstanceId;
        var deadline = DateTime.UtcNow + Timeout;
        string body;
        while (!(body = await http.GetStringAsync($"scenario/tasks/{taskInstanceId}")).Contains("\"deferred\":true", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                await Console.Error.WriteLineAsync($"Demo failed: task {taskInstanceId} was never deferred: {body}");
                return null;
            }

            await Task.Delay(50);
        }

        Console.WriteLine($"Deferred: GET /scenario/tasks/{taskInstanceId} → {body}");
        foreach (var (callback, expected) in new[] { ("{\"price\": 101.5}", HttpStatusCode.OK), ("{\"price\": 99.0}", HttpStatusCode.Conflict) })
        {
            using var content = new StringContent(callback, System.Text.Encoding.UTF8, "application/json");
            using var answer = await http.PostAsync($"{PricingBatchesPath}/{taskInstanceId}/result", content);
            Console.WriteLine($"Callback: POST /{PricingBatchesPath}/{taskInstanceId}/result {callback} → {(int)answer.StatusCode}");
            if (answer.StatusCode != expected)
            {
                await Console.Error.WriteLineAsync($"Demo failed: the callback was answered {(int)answer.StatusCode}, not {(int)expected}: {await answer.Content.ReadAsStringAsync()}");
                return null;
            }
        }

        return taskInstanceId;
    }

    /// <summary>
    /// The task's record once its job is over: Scenario receives the status a moment before the job writes
    /// down that it was delivered and ends.
    /// </summary>
    private static async Task<string> ReportedTaskAsync(HttpClient http, string taskInstanceId)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var body = await http.GetStringAsync($"scenario/tasks/{taskInstanceId}");
            var over = body.Contains("\"reportedStatus\":\"", StringComparison.Ordinal) && !body.Contains("\"state\":\"Processing\"", StringComparison.Ordinal);
            if (over || DateTime.UtcNow > deadline)
            {
                return body;
            }

            await Task.Delay(50);
        }
    }

    private static bool HasEnded(IReadOnlyList<ReceivedTaskStatus> received, string taskInstanceId)
        => received.Any(status => status.TaskInstanceId == taskInstanceId && status.IsTerminal);
}
