using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>Long-running actions that report progress the ways a user's work does.</summary>
[ApiController]
[Route("progress")]
public sealed partial class ProgressController(WorkProbe probe, ScenarioTaskContext task, ILogger<ProgressController> logger) : ControllerBase
{
    /// <summary>How many quick progress calls <see cref="Burst"/> makes before its final 100.</summary>
    public const int BurstSteps = 50;

    /// <summary>The simulated work between two of <see cref="Burst"/>'s calls: the burst spans about 1.5 s.</summary>
    public static readonly TimeSpan BurstStepDuration = TimeSpan.FromMilliseconds(30);

    /// <summary>How long <see cref="Paced"/> works: a short task, so that only Scenario could make it long.</summary>
    public static readonly TimeSpan PacedDuration = TimeSpan.FromMilliseconds(300);

    private void Record(string action) => probe.Record(action, task);

    [HttpPost("paced"), ScenarioLongRunning]
    public async Task<IActionResult> Paced(CancellationToken cancellationToken)
    {
        Record("paced");
        await task.ReportProgressAsync(10, "started", cancellationToken);
        await Task.Delay(PacedDuration, cancellationToken);
        await task.ReportProgressAsync(100, "done", cancellationToken);
        return Ok(new { worked = PacedDuration.TotalSeconds });
    }

    [HttpPost("burst"), ScenarioLongRunning]
    public async Task<IActionResult> Burst(CancellationToken cancellationToken)
    {
        Record("burst");
        for (var step = 1; step < BurstSteps; step++)
        {
            await task.ReportProgressAsync(step * 99 / BurstSteps, $"step {step}", cancellationToken);
            await Task.Delay(BurstStepDuration, cancellationToken);
        }

        await task.ReportProgressAsync(100, "done", cancellationToken);
        return Ok(new { steps = BurstSteps });
    }

    [HttpPost("clamped"), ScenarioLongRunning]
    public async Task<IActionResult> OutOfRange(CancellationToken cancellationToken)
    {
        Record("clamped");
        await task.ReportProgressAsync(-5, "below", cancellationToken);
        // The second value waits for the first to reach Scenario, so both are posted rather than coalesced.
        await probe.Gate.Task.WaitAsync(cancellationToken);
        await task.ReportProgressAsync(150, "above", cancellationToken);
        return Ok();
    }

    [HttpPost("gated"), ScenarioLongRunning]
    public async Task<IActionResult> ReportsThenWaitsForTheGate(CancellationToken cancellationToken)
    {
        Record("gated");
        await task.ReportProgressAsync(10, "started", cancellationToken);
        await probe.Gate.Task.WaitAsync(cancellationToken);
        await task.ReportProgressAsync(90, "finishing", cancellationToken);
        return Ok(new { released = true });
    }

    [HttpPost("logged"), ScenarioLongRunning]
    public IActionResult Logged()
    {
        Record("logged");
        LogPricing(logger, "EQ-1");
        return Ok();
    }

    [LoggerMessage(1, LogLevel.Information, "Pricing portfolio {Portfolio}")]
    private static partial void LogPricing(ILogger logger, string portfolio);
}
