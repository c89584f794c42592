using System.Net;
using System.Security.Claims;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenQA.Selenium;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Dashboard;

/// <summary>
/// The Scenario page in a real browser (Debian's chromium, headless), on a receiver on Kestrel with Hangfire's dashboard
/// mapped as a user maps it: the tasks in each state, an operator failing a deferred task, a read-only dashboard.
/// </summary>
public sealed class ScenarioPageBrowserTests : StandInTest
{
    private const string Operator = "alice.oncall";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Task<ReceiverTestHost> StartAsync(bool readOnly = false)
        => ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.InMemory,
            Scenario,
            [typeof(DeferringController)],
            new Dictionary<string, string?>
            {
                // A transient failure waits ten minutes for its next attempt: the page shows a task awaiting delivery.
                ["Scenario:Reporting:RetryDelays:0"] = "00:10:00",
            },
            useKestrel: true,
            configure: builder =>
            {
                builder.Services.AddAntiforgery();

                // What AddHangfire registers for the dashboard; the isolated Hangfire of the tests leaves it out.
                builder.Services.AddSingleton(DashboardRoutes.Routes);
            },
            map: app =>
            {
                // The dashboard's authentication, as a host's would be: the operator's name reaches the log.
                app.Use((context, next) =>
                {
                    context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Operator)], "test"));
                    return next(context);
                });
                app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], IsReadOnlyFunc = _ => readOnly });
            });

    private static ITaskStore Records(ReceiverTestHost host) => host.Services.GetRequiredService<ITaskStore>();

    private static async Task<string> CallAsync(ReceiverTestHost host, string path)
    {
        var call = await host.RestCall.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call.TaskInstanceId;
    }

    private static async Task<string> DeferAsync(ReceiverTestHost host)
    {
        var id = await CallAsync(host, "/deferring/defer/600000");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(id))?.DeferredUntil is not null, "the task is deferred");
        return id;
    }

    private static string Url(ReceiverTestHost host, string path) => new Uri(host.Client.BaseAddress!, "/hangfire" + path).ToString();

    [SkippableFact]
    public async Task ScenarioPage_TasksInEachState_ListsEachWhereItStands()
    {
        ChromeBrowser.SkipUnlessAvailable();
        await using var host = await StartAsync();
        Scenario.FailNext(1, 401);
        var refused = await CallAsync(host, "/deferring/brief/0");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(refused))?.Delivery?.NeedsPerson == true, "the refusal is noted");
        var delivered = await CallAsync(host, "/deferring/brief/0");
        await Scenario.WaitForTerminalStatusAsync(delivered, Timeout);
        var deferred = await DeferAsync(host);
        var running = await CallAsync(host, "/deferring/until-cancelled");
        Scenario.FailNext(1, 503);
        var retrying = await CallAsync(host, "/deferring/brief/0");
        await Await.UntilAsync(async () => (await Records(host).FindAsync(retrying))?.Delivery is not null, "the failed attempt is noted");

        using var browser = ChromeBrowser.Start();
        browser.Navigate().GoToUrl(Url(host, "/scenario"));
        var standings = browser.FindElements(By.CssSelector("table.scenario-tasks tbody tr"))
            .ToDictionary(row => row.GetAttribute("data-task")!, row => row.GetAttribute("data-standing"));
        var retryingRow = browser.FindElement(By.CssSelector($"tr[data-task='{retrying}']")).Text;
        var menuCount = browser.FindElement(By.XPath("//a[contains(@href,'/hangfire/scenario')]//span[contains(@class,'metric')]")).Text;
        SaveScreenshot(browser);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                [retrying] = "AwaitingDelivery",
                [running] = "Running",
                [deferred] = "Deferred",
                [delivered] = "Delivered",
                [refused] = "NeedsPerson",
            },
            standings);
        Assert.Contains("1 attempt(s), last answer: Scenario answered 503 Service Unavailable. Next attempt", retryingRow, StringComparison.Ordinal);
        Assert.Equal("2", menuCount);
    }

    [SkippableFact]
    public async Task FailAction_DeferredTask_ScenarioReceivesExactlyOneError()
    {
        ChromeBrowser.SkipUnlessAvailable();
        await using var host = await StartAsync();
        var deferred = await DeferAsync(host);

        using var browser = ChromeBrowser.Start();
        browser.Navigate().GoToUrl(Url(host, "/scenario/tasks/" + deferred));
        var form = browser.FindElement(By.CssSelector("form[data-action='fail']"));
        var message = form.FindElement(By.Name("message"));
        message.Clear();
        message.SendKeys("Stuck since the pricing feed went down; failed on call.");
        form.FindElement(By.Name("confirm")).Click();
        form.FindElement(By.CssSelector("button[type='submit']")).Click();
        await Await.UntilAsync(() => browser.FindElements(By.CssSelector(".scenario-result")).Count == 1, "the task page after the action");
        var result = browser.FindElement(By.CssSelector(".scenario-result")).Text;
        await Scenario.WaitForTerminalStatusAsync(deferred, Timeout);
        await Await.UntilAsync(async () => (await Records(host).FindAsync(deferred))?.IsReported == true, "the task is marked reported");

        var statuses = Scenario.StatusesFor(deferred);
        Assert.Equal("Fail the task: done. The timeline below shows what followed.", result);
        Assert.Single(statuses);
        Assert.Equal("Error", statuses[0].Status);
        Assert.Equal("Stuck since the pricing feed went down; failed on call.", statuses[0].Message);
        Assert.Equal(TaskDecider.Operator, (await Records(host).FindAsync(deferred))!.DecidedBy);
        var warning = Assert.Single(host.Logs.Lines, line => line.EventId == 1901);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.StartsWith($"Operator {Operator} failed Scenario task {deferred} from the dashboard (Deferred): Scenario receives Error 500", warning.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ReadOnlyDashboard_DeferredTask_ShowsNoActionsAndRefusesAPostWithAValidToken()
    {
        ChromeBrowser.SkipUnlessAvailable();
        await using var host = await StartAsync(readOnly: true);
        var deferred = await DeferAsync(host);

        using var browser = ChromeBrowser.Start();
        browser.Navigate().GoToUrl(Url(host, "/scenario/tasks/" + deferred));
        var standing = browser.FindElement(By.CssSelector(".scenario-standing")).Text;
        var forms = browser.FindElements(By.CssSelector("form.scenario-action")).Count;
        var forged = await PostWithValidAntiforgeryAsync(host, "/scenario/tasks/" + deferred + "/fail");

        Assert.StartsWith("Deferred", standing, StringComparison.Ordinal);
        Assert.Equal(0, forms);
        Assert.Equal(HttpStatusCode.Forbidden, forged);
        Assert.Empty(Scenario.StatusesFor(deferred));
        Assert.Null((await Records(host).FindAsync(deferred))!.Outcome);
    }

    /// <summary>A POST that passes the host's antiforgery check (a token pair the host issued): only read-only mode refuses it.</summary>
    private static async Task<HttpStatusCode> PostWithValidAntiforgeryAsync(ReceiverTestHost host, string path)
    {
        var issuing = new DefaultHttpContext { RequestServices = host.Services };
        issuing.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Operator)], "test"));
        var tokens = host.Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(issuing);
        var cookieName = host.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name!;
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(host, path))
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
    private static void SaveScreenshot(OpenQA.Selenium.Chrome.ChromeDriver browser)
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
