using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning.MinimalApis;

/// <summary>
/// The minimal-API twins of <see cref="TaskWorkController"/>: one long-running handler per kind of result,
/// mapped under <c>/minimal</c>, most through a group that is made long-running as a whole.
/// </summary>
public static class TaskWorkEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/minimal").WithScenarioLongRunning();

        tasks.MapPost("/ok", async (WorkRequest request, WorkProbe probe, ScenarioTaskContext task, CancellationToken cancellationToken) =>
        {
            probe.Record("ok", task);
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return TypedResults.Ok(ResultOf(request));
        });
        tasks.MapPost("/created", (WorkRequest request, WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("created", task);
            return TypedResults.Created("/minimal/1", ResultOf(request));
        });
        tasks.MapPost("/accepted", (WorkRequest request) => TypedResults.Accepted("/minimal/1", ResultOf(request)));
        tasks.MapPost("/json", (WorkRequest request) => TypedResults.Json(ResultOf(request), statusCode: 203));
        tasks.MapPost("/value", (WorkRequest request) => ResultOf(request));
        tasks.MapPost("/value-async", async ValueTask<WorkResult> (WorkRequest request) =>
        {
            await Task.Yield();
            return ResultOf(request);
        });
        tasks.MapPost("/scalar", () => 42);
        tasks.MapPost("/list", () => new[] { "EQ-1", "EQ-2" });
        tasks.MapPost("/void", (WorkProbe probe, ScenarioTaskContext task) => probe.Record("void", task));
        tasks.MapPost("/task", (WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("task", task);
            return Task.CompletedTask;
        });
        tasks.MapPost("/no-content", () => TypedResults.NoContent());
        tasks.MapPost("/not-found", () => TypedResults.NotFound());
        tasks.MapPost("/bad-request", () => TypedResults.BadRequest("EQ-1 is not a portfolio of this desk"));
        tasks.MapPost("/problem", () => TypedResults.Problem(title: "Portfolio closed", detail: "EQ-1 is closed for pricing", statusCode: 422));
        tasks.MapPost("/validation-problem", () => TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["portfolio"] = ["unknown"] }, title: "The portfolio is unknown"));
        tasks.MapPost("/union/{found}", Results<Ok<WorkResult>, NotFound> (bool found, [FromBody] WorkRequest request)
            => found ? TypedResults.Ok(ResultOf(request)) : TypedResults.NotFound());
        tasks.MapPost("/throw", Task<WorkResult> (WorkRequest request, WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("throw", task);
            throw new InvalidOperationException($"Pricing engine unavailable for {request.Portfolio}");
        });
        tasks.MapPost("/context", (ScenarioTaskContext task) => TypedResults.Ok(new { task = task.TaskInstanceId, workflow = task.WorkflowInstanceId }));
        tasks.MapPost("/bound/{desk}", (string desk, [FromQuery] int count, [FromHeader(Name = "X-Scenario-WorkflowInstanceId")] string workflow, [AsParameters] PricingQuery query, WorkRequest body)
            => TypedResults.Ok(new { desk, count, workflow, query.Currency, query.Region, body.Portfolio }));
        tasks.MapPost("/keyed", ([FromKeyedServices("eu")] IPriceSource prices) => TypedResults.Ok(new { source = prices.Name }));
        tasks.MapPost("/gated", async (WorkProbe probe, ScenarioTaskContext task, CancellationToken cancellationToken) =>
        {
            probe.Record("gated", task);
            await task.ReportProgressAsync(10, "started", cancellationToken);
            await probe.Gate.Task.WaitAsync(cancellationToken);
            await task.ReportProgressAsync(90, "finishing", cancellationToken);
            return TypedResults.Ok(new { released = true });
        });

        tasks.MapPost("/long-progress", async (ScenarioTaskContext task, CancellationToken cancellationToken) =>
        {
            await task.ReportProgressAsync(50, new string('p', 10_000), cancellationToken);
            return TypedResults.Ok();
        });

        // Settings on the endpoint itself, the way a user writes them one endpoint at a time.
        app.MapPost("/minimal/flaky", (WorkRequest request, WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("flaky", task);
            if (probe.CountFor(task.TaskInstanceId!) <= 2 || request.Urgent)
            {
                throw new TimeoutException($"Attempt {probe.CountFor(task.TaskInstanceId!)} failed");
            }

            return ResultOf(request);
        }).WithScenarioLongRunning(retries: 2).WithName("flaky-quote").WithTags("pricing");
        app.MapPost("/minimal/slow", async (WorkProbe probe, ScenarioTaskContext task, CancellationToken cancellationToken) =>
        {
            probe.Record("slow", task);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return TypedResults.Ok();
        }).WithScenarioLongRunning(timeoutSeconds: 1);

        // Ignores its token: the deadline must end the attempt anyway.
        app.MapPost("/minimal/stubborn", async (WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("stubborn", task);
            await probe.Gate.Task;
            await task.ReportProgressAsync(99, "finished late");
            probe.Record("stubborn-finished", task);
            return TypedResults.Ok(new { late = true });
        }).WithScenarioLongRunning(timeoutSeconds: 2);
        app.MapPost("/minimal/retried-once", (WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("retried-once", task);
            if (probe.CountFor(task.TaskInstanceId!) == 1)
            {
                throw new TimeoutException("the pricing feed timed out");
            }

            return TypedResults.Ok(new { attempts = probe.CountFor(task.TaskInstanceId!) });
        }).WithScenarioLongRunning(retries: 1);

        // The attribute on the handler gives the settings when WithScenarioLongRunning() names none.
        app.MapPost("/minimal/attributed", [ScenarioLongRunning(Retries = 1)] (WorkProbe probe, ScenarioTaskContext task) =>
        {
            probe.Record("attributed", task);
            if (probe.CountFor(task.TaskInstanceId!) == 1)
            {
                throw new TimeoutException("first attempt failed");
            }

            return TypedResults.Ok(new { attempts = probe.CountFor(task.TaskInstanceId!) });
        }).WithScenarioLongRunning();
    }

    private static WorkResult ResultOf(WorkRequest request)
        => new(request.Portfolio!, request.Quantity, request.Price, request.Urgent, request.AsOf, request.Detail);
}

public sealed record PricingQuery(string Currency, string? Region);

public interface IPriceSource
{
    string Name { get; }
}

public sealed record PriceSource(string Name) : IPriceSource;
