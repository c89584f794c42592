using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// Variant (b): what a user writes without the library. Reads the task id header, checks it is a GUID,
/// enqueues the work with Hangfire and answers 202 with the ids. No dedupe, no task record.
/// </summary>
[ApiController]
[Route("work")]
public sealed class HandWrittenController(IBackgroundJobClient jobs) : ControllerBase
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
