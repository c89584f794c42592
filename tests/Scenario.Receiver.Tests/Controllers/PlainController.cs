using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>No [ApiController]: the filter itself must turn away a body that does not bind.</summary>
[Route("plain")]
public sealed class PlainController(WorkProbe probe, ScenarioTaskContext task) : ControllerBase
{
    [HttpPost, ScenarioLongRunning]
    public IActionResult Run([FromBody] WorkRequest request)
    {
        probe.Record("plain", task);
        return Ok(new { request.Portfolio });
    }
}
