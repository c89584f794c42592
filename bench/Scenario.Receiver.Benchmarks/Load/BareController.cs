using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>Variant (a): binds the body and answers 202, nothing else. The floor of an MVC request.</summary>
[ApiController]
[Route("work")]
public sealed class BareController : ControllerBase
{
    [HttpPost]
    public IActionResult Post(WorkRequest request) => Accepted();
}
