using Microsoft.AspNetCore.Mvc;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>
/// The instances' one action. With <see cref="WorkRequest.DurationMs"/> 0 it returns at once, so the
/// throughput measures the library and its storage, not the work; with a duration it reports 0 % as it
/// starts (how the takeover run sees where a task runs) and then waits, honouring the token.
/// </summary>
[ApiController]
[Route("work")]
public sealed class WorkController(ScenarioTaskContext task) : ControllerBase
{
    [HttpPost]
    [ScenarioLongRunning]
    public async Task<IActionResult> Post(WorkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.DurationMs > 0)
        {
            await task.ReportProgressAsync(0, "started", cancellationToken);
            await Task.Delay(request.DurationMs, cancellationToken);
        }

        return Ok(new { portfolio = request.Portfolio, quantity = request.Quantity });
    }
}
