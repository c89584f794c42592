using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>Variant (c): the same work as an ordinary action, moved into Hangfire by the attribute.</summary>
[ApiController]
[Route("work")]
public sealed class LibraryController : ControllerBase
{
    [HttpPost]
    [ScenarioLongRunning]
    public ActionResult<WorkResult> Post(WorkRequest request) => Ok(PricingWork.Run(request));
}
