using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.LongRunning.RequestSnapshots;

/// <summary>Shows the work the request that accepted its task: the snapshot restored into the job's stand-in <c>HttpContext</c>.</summary>
internal static class RequestSnapshotRestore
{
    public static void Apply(DefaultHttpContext httpContext, string? snapshotJson)
    {
        if (snapshotJson is null || JsonSerializer.Deserialize(snapshotJson, ScenarioJsonContext.Default.RequestSnapshot) is not { } snapshot)
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

        foreach (var (name, values) in snapshot.Headers ?? [])
        {
            request.Headers[name] = new StringValues(values);
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
