using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>Long-running actions whose outcome comes later, or that run until cancelled.</summary>
[ApiController]
[Route("deferring")]
public sealed class DeferringController(WorkProbe probe, ScenarioTaskContext task) : ControllerBase
{
    [HttpPost("defer/{milliseconds:int}"), ScenarioLongRunning]
    public IResult Defer(int milliseconds)
    {
        probe.Record("defer", task);
        return ScenarioResults.Deferred(TimeSpan.FromMilliseconds(milliseconds));
    }

    [HttpPost("until-cancelled"), ScenarioLongRunning]
    public async Task<IActionResult> UntilCancelled(CancellationToken cancellationToken)
    {
        probe.Record("until-cancelled", task);
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return Ok();
    }

    [HttpPost("brief/{milliseconds:int}"), ScenarioLongRunning]
    public async Task<IActionResult> Brief(int milliseconds, CancellationToken cancellationToken)
    {
        probe.Record("brief", task);
        await Task.Delay(milliseconds, cancellationToken);
        return Ok(new { done = true });
    }
}
