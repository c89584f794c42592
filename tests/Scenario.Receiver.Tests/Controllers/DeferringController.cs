using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>Long-running actions whose outcome comes later, or that run until cancelled.</summary>
[ApiController]
[Route("deferring")]
public sealed class DeferringController(WorkProbe probe, ScenarioTaskContext task) : ControllerBase
{
    /// <summary>What <see cref="UntilCancelledNoted"/> notes when its token fires.</summary>
    public const string CancellationObserved = "cancellation observed";

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

    /// <summary>Runs until its token fires, and notes in the probe that it saw it fire: the work observed its cancellation.</summary>
    [HttpPost("until-cancelled/noted"), ScenarioLongRunning]
    public async Task<IActionResult> UntilCancelledNoted(CancellationToken cancellationToken)
    {
        probe.Record("until-cancelled/noted", task);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            probe.Record(CancellationObserved, task);
            throw;
        }

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
