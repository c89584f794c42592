// Scenario.Receiver sample: a pricing service that X4B Scenario calls with a RestCall task.
//
// What it shows
//   * POST /api/pricing/runs is an ordinary controller action with [ScenarioLongRunning]
//     (Controllers/PricingRunsController.cs): the call is validated and answered 202 at once, the pricing
//     runs in a Hangfire job and reports its progress, and Scenario then receives Completed
//     (statusCode 200, portfolio, price, currency, pricedAt) or, when the engine throws, Error
//     (statusCode 500 and the exception's message).
//   * POST /api/pricing/quotes is the same work as a minimal-API endpoint with .WithScenarioLongRunning()
//     (Endpoints/PricingQuotesEndpoint.cs): same body, same answers, same statuses in Scenario.
//   * POST /api/pricing/batches {"portfolio": "EQ-1", "deadlineSeconds": 60} hands the work off
//     (Endpoints/PricingBatchesEndpoint.cs): it "submits" the portfolio to a batch system and returns
//     ScenarioResults.Deferred, so the task stays RUNNING; the batch system's callback
//     POST /api/pricing/batches/{taskInstanceId}/result {"price": 101.5} completes it ({"error": "..."} fails it)
//     through IScenarioTaskCompletion: 200 when it decided the outcome, 409 when the task already had one,
//     404 for a task never submitted. Without a callback by the deadline Scenario receives Error 504.
//   * With no Scenario:BaseUrl configured, the Scenario.Receiver.Testing stand-in plays Scenario in-process
//     and logs every status it receives, so the sample runs with nothing else installed.
//   * Hangfire storage: in-memory by default; PostgreSQL, for several instances sharing the work, when
//     ConnectionStrings:Hangfire is set (Hosting/HangfireStorage.cs). The dashboard is at /hangfire, and its
//     Scenario page at /hangfire/scenario lists the tasks by where they stand (running, deferred, awaiting
//     delivery, delivered, cancelled by Scenario, needing a person); an operator can fail, complete or
//     re-deliver a task there. Hangfire:DashboardReadOnly=true shows all of it and changes nothing.
//
// How to see it
//   The demo: starts the app, sends itself a RestCall to each endpoint that succeeds and one that fails,
//   prints what Scenario received and exits:
//       dotnet run --project examples/Scenario.Receiver.Sample -- --demo
//   By hand:
//       dotnet run --project examples/Scenario.Receiver.Sample
//       curl -i http://localhost:5000/api/pricing/runs -H "Content-Type: application/json" \
//            -H "X-Scenario-TaskInstanceId: 364e21c2-25bf-497d-9583-3d359e7cbf91" \
//            -d '{"portfolio": "EQ-1", "durationMs": 15000, "fail": false}'
//   then watch the task at http://localhost:5000/hangfire/scenario (the dashboard's Scenario page), its state at
//   http://localhost:5000/scenario/tasks/364e21c2-25bf-497d-9583-3d359e7cbf91, the statuses in the log,
//   and Scenario's reachability at http://localhost:5000/health. Use a new GUID for
//   each task: a second call with the same id is answered with the job of the first.
//   Against a real Scenario: set Scenario__BaseUrl and Scenario__ApiKey in the environment. Its RestCall
//   task needs autocomplete=false and a timeout longer than the work (or 0 for none).

using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Scenario.Receiver.Sample.Demo;
using Scenario.Receiver.Sample.Endpoints;
using Scenario.Receiver.Sample.Hosting;
using Scenario.Receiver.Sample.Pricing;
using Scenario.Receiver.Testing;

// --demo is this sample's switch, not a setting: the command-line configuration provider must not see it.
var runDemo = args.Contains(DemoRunner.Switch);
var builder = WebApplication.CreateBuilder(args.Where(arg => arg != DemoRunner.Switch).ToArray());

// Scenario: the real one when Scenario:BaseUrl is configured, otherwise the Testing stand-in, in-process.
var useEmbeddedScenario = string.IsNullOrWhiteSpace(builder.Configuration["Scenario:BaseUrl"]);
if (runDemo && !useEmbeddedScenario)
{
    await Console.Error.WriteLineAsync($"{DemoRunner.Switch} plays Scenario with the embedded stand-in: run it without Scenario:BaseUrl (unset Scenario__BaseUrl).");
    return 2;
}

// The embedded Scenario logs each status it receives. Its logger exists once the app is built; no status
// can arrive before the app runs.
ILogger? scenarioLog = null;
await using var embeddedScenario = useEmbeddedScenario
    ? await ScenarioStandIn.StartAsync(new ScenarioStandInOptions
    {
        OnStatusReceived = status => ReceivedStatusLog.Write(scenarioLog, status),
    })
    : null;
if (embeddedScenario is not null)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Scenario:BaseUrl"] = embeddedScenario.BaseUrl.ToString(),
        ["Scenario:ApiKey"] = embeddedScenario.ApiKey,
    });
}

if (runDemo)
{
    builder.WebHost.UseUrls(DemoRunner.Url);

    // The demo prints what Scenario received itself; of the log it keeps warnings and errors only, and the task that
    // fails on purpose says so in one line instead of an error with its stack trace (Demo/DemoConsoleFormatter.cs).
    builder.Logging.AddFilter(level => level >= LogLevel.Warning);
    builder.Services.AddSingleton<OnPurposeFailures>();
    builder.Logging.AddConsole(console => console.FormatterName = DemoConsoleFormatter.FormatterName)
        .AddConsoleFormatter<DemoConsoleFormatter, ConsoleFormatterOptions>();
}

// Hangfire is the application's to register; the receiver runs its work in it.
builder.Services.AddHangfire(hangfire => hangfire
    .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
    .UseSimpleAssemblyNameTypeSerializer()
    .UseSampleStorage(builder.Configuration));
builder.Services.AddHangfireServer(server =>
{
    // Optional, to tell instances apart and size them when several share one PostgreSQL storage.
    server.WorkerCount = builder.Configuration.GetValue("Hangfire:WorkerCount", server.WorkerCount);
    server.ServerName = builder.Configuration["Hangfire:ServerName"] ?? server.ServerName;

    // No SchedulePollingInterval here: the receiver starts its retries when due itself; Hangfire's scheduler
    // (every 15 s by default) only takes over for a retry whose process has gone.

    // A terminal post in flight ignores the shutdown, but Hangfire waits only ShutdownTimeout (15 s by default)
    // for it before the process goes on exiting; past Scenario:Reporting:RequestTimeout (2 min) it has its answer.
    server.ShutdownTimeout = TimeSpan.FromMinutes(2.5);
});

// The host's own stop budget (30 s by default) bounds Hangfire's wait too.
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(3));

builder.Services.AddScenarioReceiver(builder.Configuration.GetSection("Scenario")).UsePostgreSqlTaskStore();
builder.Services.UseSampleTaskStore(builder.Configuration);
builder.Services.AddHealthChecks().AddScenario();

// The dashboard's actions (Hangfire's requeue and delete, the Scenario page's fail, complete, retry and re-deliver) are
// POSTs it checks against the host's antiforgery token; without antiforgery services the Scenario page offers none.
builder.Services.AddAntiforgery();
builder.Services.AddScoped<PricingEngine>();
builder.Services.AddControllers();

await using var app = builder.Build();
scenarioLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(ReceivedStatusLog.Category);

app.UseScenarioTaskContext();
app.MapControllers();
app.MapPricingQuotes();
app.MapPricingBatches();

// The dashboard shows every job and its arguments, and can delete or requeue them; its Scenario page shows the tasks
// and acts on them. Hangfire serves it to local requests only (DashboardOptions' default Authorization); in
// production give it an authorization filter (Authorization = [...]) that lets in the operators and nobody else.
// Hangfire:DashboardReadOnly=true: a dashboard for watching (a team's screen), without any action.
var dashboardReadOnly = app.Configuration.GetValue<bool>("Hangfire:DashboardReadOnly");
app.UseHangfireDashboard("/hangfire", new DashboardOptions { IsReadOnlyFunc = _ => dashboardReadOnly });

// What the receiver knows of a task, from any instance: GET /scenario/tasks/{taskInstanceId}.
// Like any endpoint it goes through the host's authorization; protect it in production (.RequireAuthorization).
app.MapScenarioTaskStatus();

// Healthy while Scenario's TaskStatus service answers 204 within Scenario:HealthCheckTimeout (5 s); Degraded while
// Scenario answers redirects or statuses pile up undelivered; Unhealthy (503) while Scenario or the job storage
// cannot be reached. The text names why, below the status.
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportText.WriteAsync });

if (runDemo)
{
    return await DemoRunner.RunAsync(app, embeddedScenario!);
}

await app.RunAsync();
return 0;

// For WebApplicationFactory<Program> in tests: the top-level statements compile to an internal Program class.
public partial class Program;
