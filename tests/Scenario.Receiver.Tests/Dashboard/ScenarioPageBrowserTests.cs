using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Dashboard;

/// <summary>
/// The Scenario page in a real browser (Debian's chromium, headless), on the sample as it runs (its Program, on Kestrel,
/// its dashboard at /hangfire) with the project's Scenario stand-in: the tasks in each state, an operator failing a
/// deferred task, a read-only dashboard. The only addition to the sample is a signed-in user, as the dashboard's
/// authentication in production would give, so that the operator's name reaches the log.
/// </summary>
public sealed class ScenarioPageBrowserTests : StandInTest
{
    private const string Operator = "alice.oncall";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private sealed class Sample(WebApplicationFactory<Program> factory, CapturedLogs logs, Uri address) : IAsyncDisposable
    {
        public CapturedLogs Logs => logs;

        public HttpClient Client { get; } = new() { BaseAddress = address };

        public ScenarioRestCall RestCall => new(Client);

        public IServiceProvider Services => factory.Services;

        public ITaskStore Records => factory.Services.GetRequiredService<ITaskStore>();

        public string Url(string path) => new Uri(address, "/hangfire" + path).ToString();

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await factory.DisposeAsync();
        }
    }

    private async Task<Sample> StartSampleAsync(bool readOnly = false)
    {
        var logs = new CapturedLogs();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseScenarioStandIn(Scenario)

            // The sample's own settings, as an operator would set them: a transient failure waits ten minutes for its next
            // attempt (the page shows a task awaiting delivery), Scenario is asked about deferred tasks every 200 ms.
            .UseSetting("Scenario:Reporting:RetryDelays:0", "00:10:00")
            .UseSetting("Scenario:Cancellation:PollInterval", "00:00:00.200")
            .UseSetting("Hangfire:DashboardReadOnly", readOnly ? "true" : "false")
            .ConfigureTestServices(services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                services.AddTransient<IStartupFilter, SignedInOperator>();
            }));
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Sample(factory, logs, new Uri(address));
    }

    /// <summary>The dashboard's authentication, as a host's would be: a signed-in operator, whose name reaches the log.</summary>
    private sealed class SignedInOperator : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Operator)], "test"));
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private static async Task<string> AcceptedAsync(Sample sample, string path, object body)
    {
        var call = await sample.RestCall.PostAsync(path, body);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call.TaskInstanceId;
    }

    private static async Task<string> PriceAsync(Sample sample, int durationMs)
        => await AcceptedAsync(sample, "/api/pricing/runs", new { portfolio = "EQ-1", durationMs });

    /// <summary>A batch submission: the sample defers its task until the batch system calls back.</summary>
    private static async Task<string> SubmitBatchAsync(Sample sample)
    {
        var id = await AcceptedAsync(sample, "/api/pricing/batches", new { portfolio = "EQ-4", deadlineSeconds = 3600 });
        await Await.UntilAsync(async () => (await sample.Records.FindAsync(id))?.DeferredUntil is not null, "the batch task is deferred");
        return id;
    }

    /// <summary>The batch system's callback, answered 200: it decided the task.</summary>
    private static async Task CallBackAsync(Sample sample, string taskInstanceId, object result)
    {
        using var response = await sample.Client.PostAsJsonAsync($"/api/pricing/batches/{taskInstanceId}/result", result);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [SkippableFact]
    public async Task ScenarioPage_SampleTasksInEachState_ListsEachWhereItStands()
    {
        ChromeBrowser.SkipUnlessAvailable();
        await using var sample = await StartSampleAsync();

        // One status post at a time while the stand-in fails the next one: no progress post may take the fault instead.
        var delivered = await PriceAsync(sample, durationMs: 0);
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        await Await.UntilAsync(async () => (await sample.Records.FindAsync(delivered))?.IsReported == true, "the priced task is marked reported");

        var refused = await SubmitBatchAsync(sample);
        Scenario.FailNext(1, 401);
        await CallBackAsync(sample, refused, new { price = 101.5 });
        await Await.UntilAsync(async () => (await sample.Records.FindAsync(refused))?.Delivery?.NeedsPerson == true, "the refusal is noted");

        var retrying = await SubmitBatchAsync(sample);
        Scenario.FailNext(1, 503);
        await CallBackAsync(sample, retrying, new { error = "Batch rejected EQ-4" });
        await Await.UntilAsync(async () => (await sample.Records.FindAsync(retrying))?.Delivery is not null, "the failed attempt is noted");

        var cancelled = await SubmitBatchAsync(sample);
        Scenario.CancelTask(cancelled);
        await Await.UntilAsync(async () => (await sample.Records.FindAsync(cancelled))?.CancelledByScenarioAt is not null, "the cancellation query's answer is recorded");

        var deferred = await SubmitBatchAsync(sample);
        var running = await PriceAsync(sample, durationMs: 3_600_000);
        await Scenario.WaitForStatusesAsync(statuses => statuses.Any(status => status.TaskInstanceId == running), Timeout);

        using var browser = ChromeBrowser.Start();
        browser.Navigate().GoToUrl(sample.Url("/scenario"));
        var standings = browser.FindElements(By.CssSelector("table.scenario-tasks tbody tr"))
            .ToDictionary(row => row.GetAttribute("data-task")!, row => row.GetAttribute("data-standing"));
        var retryingRow = browser.FindElement(By.CssSelector($"tr[data-task='{retrying}']")).Text;
        var menuCount = browser.FindElement(By.XPath("//a[contains(@href,'/hangfire/scenario')]//span[contains(@class,'metric')]")).Text;
        SaveScreenshot(browser);

        // The side menu's list of one standing: the retrying task alone, with its delivery's columns.
        browser.FindElement(By.CssSelector(".scenario-lists a[data-list='awaiting-delivery']")).Click();
        var awaitingRows = browser.FindElements(By.CssSelector("table.scenario-tasks tbody tr")).Select(row => row.GetAttribute("data-task")).ToList();
        var awaitingHeaders = browser.FindElements(By.CssSelector("table.scenario-tasks thead th")).Select(header => header.Text).ToList();
        var awaitingRow = browser.FindElement(By.CssSelector($"tr[data-task='{retrying}']")).Text;

        Assert.Equal(
            new Dictionary<string, string?>
            {
                [running] = "Running",
                [deferred] = "Deferred",
                [cancelled] = "CancelledByScenario",
                [retrying] = "AwaitingDelivery",
                [refused] = "NeedsPerson",
                [delivered] = "Delivered",
            },
            standings);
        Assert.Contains("Error 500, decided by a callback (IScenarioTaskCompletion). 1 attempt(s), last answer: Scenario answered 503 Service Unavailable. Next attempt", retryingRow, StringComparison.Ordinal);
        Assert.Equal("2", menuCount);
        Assert.Equal([retrying], awaitingRows);
        Assert.Equal(["Task", "Endpoint", "Decided", "Status", "Attempts", "Last answer", "Next attempt"], awaitingHeaders);
        Assert.Contains("Error 500 1 Scenario answered 503 Service Unavailable", awaitingRow, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task FailAction_SampleDeferredTask_ScenarioReceivesExactlyOneError()
    {
        ChromeBrowser.SkipUnlessAvailable();
        await using var sample = await StartSampleAsync();
        var deferred = await SubmitBatchAsync(sample);

        using var browser = ChromeBrowser.Start();
        browser.Navigate().GoToUrl(sample.Url("/scenario/tasks/" + deferred));
        var form = browser.FindElement(By.CssSelector("form[data-action='fail']"));
        var message = form.FindElement(By.Name("message"));
        message.Clear();
        message.SendKeys("The batch system lost EQ-4; failed on call.");
        form.FindElement(By.Name("confirm")).Click();
        form.FindElement(By.CssSelector("button[type='submit']")).Click();
        await Await.UntilAsync(() => browser.FindElements(By.CssSelector(".scenario-result")).Count == 1, "the task page after the action");
        var result = browser.FindElement(By.CssSelector(".scenario-result")).Text;
        await Scenario.WaitForTerminalStatusAsync(deferred, Timeout);
        await Await.UntilAsync(async () => (await sample.Records.FindAsync(deferred))?.IsReported == true, "the task is marked reported");

        // The batch system's late callback is refused, and a task after it shows nothing more came for the failed one.
        using var late = await sample.Client.PostAsJsonAsync($"/api/pricing/batches/{deferred}/result", new { price = 101.5 });
        var after = await PriceAsync(sample, durationMs: 0);
        await Scenario.WaitForTerminalStatusAsync(after, Timeout);

        Assert.Equal("Fail the task: done. The timeline below shows what followed.", result);
        var status = Assert.Single(Scenario.StatusesFor(deferred));
        Assert.Equal("Error", status.Status);
        Assert.Equal("The batch system lost EQ-4; failed on call.", status.Message);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(TaskDecider.Operator, (await sample.Records.FindAsync(deferred))!.DecidedBy);
        var warning = Assert.Single(sample.Logs.Lines, line => line.EventId == 1901);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Equal($"Operator {Operator} failed Scenario task {deferred} from the dashboard (Deferred): Scenario receives Error 500: The batch system lost EQ-4; failed on call.", warning.Message);
    }

    [SkippableFact]
    public async Task ReadOnlyDashboard_SampleDeferredTask_ShowsNoActionsAndRefusesAPostWithAValidToken()
    {
        ChromeBrowser.SkipUnlessAvailable();
        await using var sample = await StartSampleAsync(readOnly: true);
        var deferred = await SubmitBatchAsync(sample);

        using var browser = ChromeBrowser.Start();
        browser.Navigate().GoToUrl(sample.Url("/scenario/tasks/" + deferred));
        var standing = browser.FindElement(By.CssSelector(".scenario-standing")).Text;
        var forms = browser.FindElements(By.CssSelector("form.scenario-action")).Count;
        var forged = await PostWithValidAntiforgeryAsync(sample, "/scenario/tasks/" + deferred + "/fail");

        Assert.StartsWith("Deferred", standing, StringComparison.Ordinal);
        Assert.Equal(0, forms);
        Assert.Equal(HttpStatusCode.Forbidden, forged);
        Assert.Empty(Scenario.StatusesFor(deferred));
        Assert.Null((await sample.Records.FindAsync(deferred))!.Outcome);
    }

    /// <summary>A POST that passes the sample's antiforgery check (a token pair it issued): only read-only mode refuses it.</summary>
    private static async Task<HttpStatusCode> PostWithValidAntiforgeryAsync(Sample sample, string path)
    {
        var issuing = new DefaultHttpContext { RequestServices = sample.Services };
        issuing.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Operator)], "test"));
        var tokens = sample.Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(issuing);
        var cookieName = sample.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name!;
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, sample.Url(path))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [tokens.FormFieldName] = tokens.RequestToken!,
                ["confirm"] = "yes",
                ["message"] = "forged",
            }),
        };
        request.Headers.Add("Cookie", $"{cookieName}={tokens.CookieToken}");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The README's picture of the page: written to docs/ when UPDATE_DASHBOARD_SCREENSHOT=1, else beside the test assembly.</summary>
    private static void SaveScreenshot(ChromeDriver browser)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "dashboard-scenario.png");
        if (Environment.GetEnvironmentVariable("UPDATE_DASHBOARD_SCREENSHOT") == "1")
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scenario.Receiver.sln")))
            {
                root = root.Parent;
            }

            path = Path.Combine(root!.FullName, "docs", "dashboard-scenario.png");
        }

        browser.GetScreenshot().SaveAsFile(path);
    }
}
