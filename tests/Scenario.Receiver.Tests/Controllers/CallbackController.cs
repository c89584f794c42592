using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>A batch system's callback written as an MVC action, answering with the completion's own HTTP result.</summary>
[ApiController]
[Route("mvc-callbacks")]
public sealed class CallbackController(IScenarioTaskCompletion tasks) : ControllerBase
{
    [HttpPost("{taskInstanceId}")]
    public async Task<IResult> Complete(string taskInstanceId, CancellationToken cancellationToken)
        => (await tasks.CompleteAsync(taskInstanceId, new { by = "mvc" }, cancellationToken: cancellationToken)).ToHttpResult();

    [HttpPost("known/{taskInstanceId}")]
    public async Task<IResult> CompleteKnown(string taskInstanceId, CancellationToken cancellationToken)
        => await tasks.IsKnownAsync(taskInstanceId, cancellationToken)
            ? (await tasks.CompleteAsync(taskInstanceId, new { by = "mvc" }, cancellationToken: cancellationToken)).ToHttpResult()
            : ScenarioResults.UnknownTask(taskInstanceId);
}
