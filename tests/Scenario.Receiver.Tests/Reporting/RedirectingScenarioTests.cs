using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Reporting;

/// <summary>
/// Scenario behind something that redirects (an SSO proxy's 302 to a login page, an ingress's 307 to another host):
/// no redirect is followed, nothing is sent elsewhere, nothing reads as delivered; the status is retried on the
/// delivery schedule, the operator is told (Warning 1320 with the Location, the health check, a counter), and once
/// the redirect stops Scenario receives the terminal status exactly once.
/// </summary>
public abstract class RedirectingScenarioTests(TaskStoreUnderTest store) : StandInTest
{
    private const string TaskStatusesPath = "/taskstatus/api/task-statuses";

    private async Task<ReceiverTestHost> StartHostAsync(ScenarioStandIn scenario, RedirectingFront front, Dictionary<string, string?>? more = null, Action<WebApplicationBuilder>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = front.BaseUrl.ToString(),
            // A second between attempts: the retries come while the test watches.
            ["Scenario:Reporting:RetryDelays:0"] = "00:00:01",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return await ReceiverTestHost.StartAsync(
            store,
            scenario,
            [typeof(TaskWorkController)],
            settings,
            configure: builder =>
            {
                builder.Services.AddHealthChecks().AddScenario();
                configure?.Invoke(builder);
            });
    }

    private static async Task<HealthReportEntry> HealthAsync(ReceiverTestHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[ScenarioHealthChecksBuilderExtensions.DefaultName];
    }

    private static int PostsTo(RedirectingFront front) => front.Requests.Count(r => r == "POST " + TaskStatusesPath);

    [Fact]
    public async Task StatusPost_Answered302ToALoginPageThatAnswers200_IsRetriedNeverDelivered_ThenDeliveredOnce()
    {
        await using var front = await RedirectingFront.StartAsync(Scenario.BaseUrl);
        front.Redirect = front.ToLoginPage;
        await using var host = await StartHostAsync(Scenario, front);
        var redirects = new ConcurrentQueue<string?>();
        using var listener = CountRedirects(host, redirects);

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        // The first post (the work job's) and a retry (the report job's), each answered 302.
        await Await.UntilAsync(() => PostsTo(front) >= 2, "the status was posted, redirected, and posted again");
        var whileRedirected = await HealthAsync(host);

        var loginPage = new Uri(front.BaseUrl, RedirectingFront.LoginPath).ToString();
        Assert.DoesNotContain($"GET {RedirectingFront.LoginPath}", front.Requests);
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1301);
        Assert.Null((await host.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))!.ReportedAt);
        var warning = host.Logs.Lines.First(l => l.EventId == 1320);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            $"Scenario answered 302 to the Completed post for task {call.TaskInstanceId}, a redirect to {loginPage}, which is not followed (nothing is sent to where it points); the request is made again later. Check Scenario:BaseUrl (an SSO proxy or an http-to-https redirect in front of Scenario?)",
            warning.Message);
        Assert.DoesNotContain("Sign in", host.Logs.AllText(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1302 && l.Message.Contains("Scenario answered 302 Found, a redirect, which is not followed: check Scenario:BaseUrl", StringComparison.Ordinal));
        Assert.Equal(HealthStatus.Degraded, whileRedirected.Status);
        Assert.Equal("Scenario answers redirects: check Scenario:BaseUrl.", whileRedirected.Description);
        Assert.StartsWith($"302 {loginPage} (status post at ", (string)whileRedirected.Data["redirect"], StringComparison.Ordinal);
        Assert.True(redirects.Count >= 2);
        Assert.All(redirects, tag => Assert.Equal("status", tag));

        front.Redirect = null;
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        await Await.UntilAsync(async () => (await HealthAsync(host)).Status == HealthStatus.Healthy, "the health check forgets the redirect once a post is delivered");

        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1321);
    }

    [Fact]
    public async Task StatusPost_Answered307ToAnotherHost_SendsThatHostNothing_EvenWithTheHostsOwnHandlers()
    {
        // The host's defaults for every client: a primary handler that follows redirects, and Aspire's resilience handler.
        await using var elsewhere = await ScenarioStandIn.StartAsync();
        await using var front = await RedirectingFront.StartAsync(Scenario.BaseUrl);
        front.Redirect = _ => (307, elsewhere.TaskStatusesUrl.ToString());
        await using var host = await StartHostAsync(Scenario, front, configure: builder => builder.Services.ConfigureHttpClientDefaults(http => http
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = true })
            .AddStandardResilienceHandler()));

        var call = await host.RestCall.PostAsync("/tasks/ok", TestData.ValidBody);
        await Await.UntilAsync(() => PostsTo(front) >= 2, "the status was posted, redirected, and posted again");

        Assert.Empty(elsewhere.Requests);
        Assert.DoesNotContain(host.Logs.Lines, l => l.EventId == 1301);
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1320 && l.Message.Contains($"a redirect to {elsewhere.TaskStatusesUrl}", StringComparison.Ordinal));
        Assert.Equal("Scenario answers redirects: check Scenario:BaseUrl.", (await HealthAsync(host)).Description);

        front.Redirect = null;
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId), s => s.IsTerminal);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task CancellationQuestion_Answered302_IsAFailedQuestionAskedAgain_WithTheSameWarning()
    {
        await using var front = await RedirectingFront.StartAsync(Scenario.BaseUrl);
        // Only the polling service is behind the redirect; statuses go through.
        front.Redirect = uri => uri.AbsolutePath.StartsWith("/polling/", StringComparison.Ordinal) ? front.ToLoginPage(uri) : null;
        await using var host = await StartHostAsync(Scenario, front, new() { ["Scenario:Cancellation:PollInterval"] = "00:00:00.200" });

        var call = await host.RestCall.PostAsync("/tasks/blocked", TestData.ValidBody);
        await Await.UntilAsync(() => front.Requests.Count(r => r == "GET /polling/api/Cancelled") >= 2, "the question was redirected and asked again");
        var whileRedirected = await HealthAsync(host);
        host.Probe.Gate.TrySetResult();
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal("Completed", status.Status);
        Assert.DoesNotContain($"GET {RedirectingFront.LoginPath}", front.Requests);
        Assert.Empty(Scenario.CancellationQueries);
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1320 && l.Level == LogLevel.Warning
            && l.Message.StartsWith($"Scenario answered 302 to the cancellation question for task {call.TaskInstanceId}, a redirect to {new Uri(front.BaseUrl, RedirectingFront.LoginPath)}", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, l => l.EventId == 1603);
        Assert.Equal(HealthStatus.Degraded, whileRedirected.Status);
        Assert.Equal("Scenario answers redirects: check Scenario:BaseUrl.", whileRedirected.Description);
    }

    [Fact]
    public async Task ServiceStatusProbe_Answered302_IsDegradedNamingTheRedirect()
    {
        await using var front = await RedirectingFront.StartAsync(Scenario.BaseUrl);
        front.Redirect = front.ToLoginPage;
        front.RedirectsServiceStatus = true;
        await using var host = await StartHostAsync(Scenario, front);

        var entry = await HealthAsync(host);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Scenario answers redirects: check Scenario:BaseUrl.", entry.Description);
        Assert.Equal($"302 {new Uri(front.BaseUrl, RedirectingFront.LoginPath)} (ServiceStatus probe)", entry.Data["redirect"]);
        Assert.DoesNotContain($"GET {RedirectingFront.LoginPath}", front.Requests);
    }

    private static MeterListener CountRedirects(ReceiverTestHost host, ConcurrentQueue<string?> tags)
    {
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ScenarioTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name == "scenario.receiver.redirects")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, measurementTags, _) =>
        {
            foreach (var tag in measurementTags)
            {
                if (tag.Key == ScenarioMetrics.RequestTag)
                {
                    tags.Enqueue(tag.Value as string);
                }
            }
        });
        listener.Start();
        return listener;
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class RedirectingScenarioTests_InMemoryStore() : RedirectingScenarioTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class RedirectingScenarioTests_PostgreSqlStore() : RedirectingScenarioTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class RedirectingScenarioTests_HangfireStore() : RedirectingScenarioTests(TaskStoreUnderTest.Hangfire);
