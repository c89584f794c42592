using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Scenario.Receiver.Tests.Controllers;

/// <summary>A long-running action that records who called it and how, the way a user's "closed by" does.</summary>
[ApiController]
[Route("caller")]
public sealed class CallerController : ControllerBase
{
    [HttpPost("{account}/close"), Authorize, ScenarioLongRunning]
    public IActionResult Close(string account, [FromQuery] string reason)
        => Ok(new
        {
            account,
            reason,
            closedBy = User.Identity?.Name,
            authenticationType = User.Identity?.AuthenticationType,
            role = User.FindFirstValue(ClaimTypes.Role),
            method = Request.Method,
            path = Request.Path.Value,
            query = Request.QueryString.Value,
            routeAccount = RouteData.Values["account"]?.ToString() ?? HttpContext.Request.RouteValues["account"]?.ToString(),
            tenant = Request.Headers["X-Tenant"].ToString(),
            hasAuthorization = Request.Headers.ContainsKey("Authorization"),
            hasCookie = Request.Headers.ContainsKey("Cookie"),
            hasApiKeyHeader = Request.Headers.ContainsKey("X-Api-Key"),
        });
}
