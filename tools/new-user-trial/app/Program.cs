using Hangfire;
using Hangfire.PostgreSql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PricingService;
using Scenario.Receiver;

var builder = WebApplication.CreateBuilder(args);

var jobs = builder.Configuration.GetConnectionString("Hangfire");

builder.Services.AddHangfire(hangfire => hangfire
    .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
    .UseSimpleAssemblyNameTypeSerializer()
    .UseRecommendedSerializerSettings()
    .UsePostgreSqlStorage(connection => connection.UseNpgsqlConnection(jobs), new PostgreSqlStorageOptions
    {
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(1),
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
        QueuePollInterval = TimeSpan.FromMilliseconds(500),
        PrepareSchemaIfNecessary = true,
    }));
builder.Services.AddHangfireServer();

builder.Services.AddScenarioReceiver(builder.Configuration.GetSection("Scenario"))
    .UsePostgreSqlTaskStore();
builder.Services.AddControllers();
builder.Services.AddHealthChecks().AddScenario();

builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddScenarioReceiverInstrumentation().AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddScenarioReceiverInstrumentation().AddConsoleExporter());

builder.Services.AddSingleton<PricingEngine>();
builder.Services.AddSingleton<BatchSystem>();

var app = builder.Build();
app.UseScenarioTaskContext();
app.MapControllers();
app.MapScenarioTaskStatus();
app.MapHealthChecks("/health");
app.UseHangfireDashboard();

app.MapPost("/api/pricing/quotes", async (QuoteRequest request, PricingEngine engine, CancellationToken ct)
        => TypedResults.Ok(await engine.QuoteAsync(request, ct)))
   .WithScenarioLongRunning();

app.MapPost("/api/pricing/batches", (PricingBatchRequest request, ScenarioTaskContext task, BatchSystem batch) =>
    {
        batch.Submit(request.Portfolio, callbackFor: task.RequireTaskInstanceId());
        return ScenarioResults.Deferred(TimeSpan.FromMinutes(30));
    })
    .WithScenarioLongRunning();

app.MapPost("/api/pricing/batches/{taskInstanceId}/result",
    async (string taskInstanceId, BatchResult result, IScenarioTaskCompletion tasks, CancellationToken ct) =>
    {
        if (!await tasks.IsKnownAsync(taskInstanceId, ct))
        {
            return ScenarioResults.UnknownTask(taskInstanceId);
        }

        var outcome = result.Error is { } error
            ? await tasks.FailAsync(taskInstanceId, error, cancellationToken: ct)
            : await tasks.CompleteAsync(taskInstanceId, new { price = result.Price }, cancellationToken: ct);
        return outcome.ToHttpResult();
    });

app.Run();

public partial class Program;
