using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.SideBySide;

/// <summary>
/// The hand-written variant in the side-by-side host, at POST /hand: the same code as <see cref="HandWrittenController"/>
/// (read the id, check it is a GUID, enqueue a job that posts Completed itself), on its own route.
/// </summary>
[ApiController]
[Route("hand")]
public sealed class SideBySideHandWrittenController(IBackgroundJobClient jobs) : ControllerBase
{
    [HttpPost]
    public IActionResult Post(WorkRequest request)
    {
        var taskInstanceId = Request.Headers["X-Scenario-TaskInstanceId"].ToString();
        if (!Guid.TryParseExact(taskInstanceId, "D", out _))
        {
            return BadRequest("X-Scenario-TaskInstanceId must be a GUID.");
        }

        var jobId = jobs.Enqueue<HandWrittenJob>(job => job.RunAsync(taskInstanceId, request, CancellationToken.None));
        return Accepted(new { taskInstanceId, jobId });
    }
}

/// <summary>The library's MVC action in the side-by-side host, at POST /mvc: the same work, moved into Hangfire by the attribute.</summary>
[ApiController]
[Route("mvc")]
public sealed class SideBySideLibraryController : ControllerBase
{
    [HttpPost]
    [ScenarioLongRunning]
    public ActionResult<WorkResult> Post(WorkRequest request) => Ok(PricingWork.Run(request));
}
