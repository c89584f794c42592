using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Scenario.Receiver.Request;

/// <summary>Shows the work the request that accepted its task: the snapshot restored into the job's stand-in <c>HttpContext</c>.</summary>
internal static class RequestSnapshotRestore
{
    /// <summary>Restores the snapshot; with its headers, the task's id headers, which travel with the task instead (<see cref="RequestSnapshotCapture"/>).</summary>
    public static void Apply(DefaultHttpContext httpContext, string? snapshotJson, ScenarioTaskContext task)
    {
        if (snapshotJson is null || JsonSerializer.Deserialize(snapshotJson, RequestJsonContext.Default.CapturedRequest) is not { } snapshot)
        {
            return;
        }

        var request = httpContext.Request;
        request.Method = snapshot.Method;
        request.Scheme = snapshot.Scheme;
        if (snapshot.Host is not null)
        {
            request.Host = new HostString(snapshot.Host);
        }

        request.PathBase = new PathString(snapshot.PathBase);
        request.Path = new PathString(snapshot.Path);
        request.QueryString = new QueryString(snapshot.QueryString);
        foreach (var (name, value) in snapshot.RouteValues ?? [])
        {
            request.RouteValues[name] = value;
        }

        if (snapshot.Headers is { } headers)
        {
            foreach (var (name, values) in headers)
            {
                request.Headers[name] = new StringValues(values);
            }

            request.Headers[ScenarioHeaderNames.TaskInstanceId] = task.TaskInstanceId;
            if (task.WorkflowInstanceId is { } workflowInstanceId)
            {
                request.Headers[ScenarioHeaderNames.WorkflowInstanceId] = workflowInstanceId;
            }
        }

        if (snapshot.Identities is { } identities)
        {
            httpContext.User = new ClaimsPrincipal(identities.Select(identity => new ClaimsIdentity(
                identity.Claims.Select(claim => new Claim(claim.Type, claim.Value, claim.ValueType, claim.Issuer)),
                identity.AuthenticationType,
                identity.NameClaimType,
                identity.RoleClaimType)));
        }
    }
}
