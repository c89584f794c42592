using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>One long-running action per kind of result a user's action can give.</summary>
[ApiController]
[Route("tasks")]
public sealed class TaskWorkController(WorkProbe probe, ScenarioTaskContext task) : ControllerBase
{
    private void Record(string action) => probe.Record(action, task);

    private static WorkResult ResultOf(WorkRequest request)
        => new(request.Portfolio!, request.Quantity, request.Price, request.Urgent, request.AsOf, request.Detail);

    [HttpPost("ok"), ScenarioLongRunning]
    public async Task<ActionResult<WorkResult>> OkResult(WorkRequest request, CancellationToken cancellationToken)
    {
        Record("ok");
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return Ok(ResultOf(request));
    }

    [HttpPost("created"), ScenarioLongRunning]
    public IActionResult CreatedResult(WorkRequest request)
    {
        Record("created");
        return Created("/tasks/1", ResultOf(request));
    }

    [HttpPost("value"), ScenarioLongRunning]
    public WorkResult PlainValue(WorkRequest request)
    {
        Record("value");
        return ResultOf(request);
    }

    [HttpPost("value-async"), ScenarioLongRunning]
    public async ValueTask<WorkResult> ValueTaskValue(WorkRequest request)
    {
        Record("value-async");
        await Task.Yield();
        return ResultOf(request);
    }

    [HttpPost("void"), ScenarioLongRunning]
    public void NothingReturned(WorkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Record("void");
    }

    [HttpPost("task"), ScenarioLongRunning]
    public Task TaskReturned(WorkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Record("task");
        return Task.CompletedTask;
    }

    [HttpPost("no-content"), ScenarioLongRunning]
    public IActionResult NoContentResult()
    {
        Record("no-content");
        return NoContent();
    }

    [HttpPost("not-found"), ScenarioLongRunning]
    public IActionResult NotFoundResult()
    {
        Record("not-found");
        return NotFound();
    }

    [HttpPost("problem"), ScenarioLongRunning]
    public IActionResult ProblemResult()
    {
        Record("problem");
        return Problem(title: "Portfolio closed", detail: "EQ-1 is closed for pricing", statusCode: 422);
    }

    [HttpPost("throw"), ScenarioLongRunning]
    public Task<WorkResult> Throws(WorkRequest request)
    {
        Record("throw");
        throw new InvalidOperationException($"Pricing engine unavailable for {request.Portfolio}");
    }

    [HttpPost("flaky"), ScenarioLongRunning(Retries = 2)]
    public WorkResult FailsTwiceThenWorks(WorkRequest request)
    {
        Record("flaky");
        if (probe.CountFor(task.TaskInstanceId!) <= 2 || request.Urgent)
        {
            throw new TimeoutException($"Attempt {probe.CountFor(task.TaskInstanceId!)} failed");
        }

        return ResultOf(request);
    }

    [HttpPost("slow"), ScenarioLongRunning(TimeoutSeconds = 1)]
    public async Task<IActionResult> NeverEndsInTime(CancellationToken cancellationToken)
    {
        Record("slow");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Ok();
    }

    [HttpPost("blocked"), ScenarioLongRunning]
    public async Task<IActionResult> WaitsForTheGate(CancellationToken cancellationToken)
    {
        Record("blocked");
        await probe.Gate.Task.WaitAsync(cancellationToken);
        return Ok(new { released = true });
    }

    [HttpPost("huge"), ScenarioLongRunning]
    public IActionResult HugeResult()
    {
        Record("huge");
        return Ok(new { blob = new string('x', 200_000) });
    }

    [HttpPost("context"), ScenarioLongRunning]
    public IActionResult EchoesContext()
    {
        Record("context");
        return Ok(new { task = task.TaskInstanceId, workflow = task.WorkflowInstanceId });
    }

    [HttpPost("cyclic"), ScenarioLongRunning]
    public IActionResult CyclicResult()
    {
        Record("cyclic");
        var node = new CyclicNode();
        node.Next = node;
        return Ok(node);
    }

    [HttpPost("long-message"), ScenarioLongRunning]
    public IActionResult ThrowsALongMessage()
    {
        Record("long-message");
        throw new InvalidOperationException(new string('m', 10_000));
    }
}

public sealed class CyclicNode
{
    public string Name { get; set; } = "loop";

    public CyclicNode? Next { get; set; }
}
