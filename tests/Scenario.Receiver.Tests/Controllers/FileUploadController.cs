using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>A long-running action whose parameter cannot travel to a job: the host must refuse to start.</summary>
[ApiController]
[Route("upload")]
public sealed class FileUploadController : ControllerBase
{
    [HttpPost, ScenarioLongRunning]
    public IActionResult Upload(IFormFile document) => Ok(document.Length);
}
