using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver;

namespace PricingService.Controllers;

[ApiController]
[Route("api/pricing")]
public sealed class PricingRunsController(PricingEngine engine) : ControllerBase
{
    [HttpPost("runs"), ScenarioLongRunning(Retries = 2, TimeoutSeconds = 600)]
    public async Task<ActionResult<PriceResult>> Run(PricingRequest request, CancellationToken ct)
        => Ok(await engine.PriceAsync(request, ct));
}
