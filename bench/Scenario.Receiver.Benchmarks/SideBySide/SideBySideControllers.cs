using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.SideBySide;

/// <summary>The library's MVC action in the side-by-side host, at POST /mvc: the same work, moved into Hangfire by the attribute.</summary>
[ApiController]
[Route("mvc")]
public sealed class SideBySideLibraryController : ControllerBase
{
    [HttpPost]
    [ScenarioLongRunning]
    public ActionResult<WorkResult> Post(WorkRequest request) => Ok(PricingWork.Run(request));
}
