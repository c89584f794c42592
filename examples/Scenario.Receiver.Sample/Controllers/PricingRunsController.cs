using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Sample.Pricing;

namespace Scenario.Receiver.Sample.Controllers;

/// <summary>
/// An ordinary controller. <see cref="ScenarioLongRunningAttribute"/> is the only Scenario-specific line:
/// the request is validated and answered 202 at once, the body below runs in a Hangfire job, and what it
/// returns (200 with the price) or throws (500 with the message) is the status Scenario receives.
/// </summary>
[ApiController]
[Route("api/pricing/runs")]
public sealed class PricingRunsController : ControllerBase
{
    private readonly PricingEngine _engine;

    public PricingRunsController(PricingEngine engine) => _engine = engine;

    /// <summary>Prices a portfolio. Scenario's RestCall for it needs a timeout longer than the run (or 0 for none).</summary>
    [HttpPost]
    [ScenarioLongRunning]
    public async Task<IActionResult> Price(PricingRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var portfolio = request.Portfolio!;
        var price = await _engine.PriceAsync(portfolio, TimeSpan.FromMilliseconds(request.DurationMs), request.Fail, cancellationToken);
        return Ok(new { portfolio, price, currency = "EUR", pricedAt = DateTimeOffset.UtcNow });
    }
}
