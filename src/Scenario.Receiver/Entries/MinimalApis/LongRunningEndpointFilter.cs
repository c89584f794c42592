using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// The minimal-API entry point's filter. By the time it runs, routing and authorization are done and parameter
/// binding was tried: ASP.NET Core runs endpoint filters even when binding failed (it sets the status code to
/// 400 first, and a missing body is a null argument), so the filter checks that binding succeeded and answers
/// a problem+json 400 naming the parameter when it did not. It does not call the handler;
/// <see cref="RequestAcceptance"/> accepts the task and the filter returns its answer.
/// </summary>
internal sealed class LongRunningEndpointFilter(MinimalApiEntry entry, RequestAcceptance acceptance) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (NotBound(context) is { } errors)
        {
            return acceptance.NotBound(entry, errors);
        }

        var check = await acceptance.CheckTaskAsync(context.HttpContext).ConfigureAwait(false);
        return check.Kind switch
        {
            TaskCheckKind.RunInline => await next(context).ConfigureAwait(false),
            TaskCheckKind.Answered => check.Answer,
            _ => await acceptance.AcceptAsync(context.HttpContext, entry, new EndpointFilterArguments(context.Arguments)).ConfigureAwait(false),
        };
    }

    private Dictionary<string, string[]>? NotBound(EndpointFilterInvocationContext context)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var body in entry.BodyParameters)
        {
            if (body.Required && context.Arguments[body.Index] is null)
            {
                errors[body.Name] = ["A non-empty request body is required."];
            }
        }

        if (errors.Count == 0 && context.HttpContext.Response.StatusCode == StatusCodes.Status400BadRequest)
        {
            // The framework logs which value it could not parse; the arguments alone do not say.
            errors[string.Empty] = ["A route, query or header value did not bind to its parameter's type."];
        }

        return errors.Count == 0 ? null : errors;
    }
}
