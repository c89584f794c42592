using Microsoft.AspNetCore.Mvc;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>An ordinary action that answers what the task context holds.</summary>
[ApiController]
[Route("echo")]
public sealed class ContextEchoController(ScenarioTaskContext task) : ControllerBase
{
    [HttpGet]
    public IActionResult Get() => Ok(new { task.TaskInstanceId, task.WorkflowInstanceId, statusUrl = task.TaskStatusUrl?.ToString(), task.IsScenarioTask });
}
