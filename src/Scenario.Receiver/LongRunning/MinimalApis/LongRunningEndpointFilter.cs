using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.LongRunning.MinimalApis;

/// <summary>
/// The minimal-API entry point's filter. By the time it runs, routing, authorization and parameter binding
/// are done (a body that does not bind got the framework's 400 before any filter). It does not call the
/// handler; <see cref="RequestAcceptance"/> accepts the task and the filter returns its answer.
/// </summary>
internal sealed class LongRunningEndpointFilter(MinimalApiEntry entry, RequestAcceptance acceptance) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var check = await acceptance.CheckTaskAsync(context.HttpContext).ConfigureAwait(false);
        return check.Kind switch
        {
            TaskCheckKind.RunInline => await next(context).ConfigureAwait(false),
            TaskCheckKind.Answered => check.Answer,
            _ => acceptance.Accept(context.HttpContext, entry, new EndpointFilterArguments(context.Arguments)),
        };
    }
}
