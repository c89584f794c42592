using Microsoft.AspNetCore.Mvc;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>A long-running action that needs nothing of the receiver's services: in a host without them, only the attribute can notice.</summary>
[Route("unregistered")]
public sealed class UnregisteredReceiverController : ControllerBase
{
    [HttpPost, ScenarioLongRunning]
    public IActionResult Run() => Ok("ran in the request");
}
