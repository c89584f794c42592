using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// The body limit (<see cref="RequestBodyLimit"/>) on a <see cref="ScenarioLongRunningAttribute"/> action. A
/// resource filter, because those run before model binding: a body whose <c>Content-Length</c> is over the
/// limit is refused unread, and one found over it while being read (the server's 413, which MVC's input
/// formatter lets through) gets problem+json instead of the server's bare 413.
/// </summary>
internal sealed class LongRunningBodyLimitFilter(MvcEntrySource entries, RequestAcceptance acceptance) : IAsyncResourceFilter
{
    public Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var limit = acceptance.MaxBodyBytes;
        var httpContext = context.HttpContext;
        if (RequestBodyLimit.IsDeclaredOver(httpContext, limit))
        {
            context.Result = new HttpResultAction(acceptance.BodyTooLarge(EntryOf(context), limit, httpContext.Request.ContentLength));
            return Task.CompletedTask;
        }

        // A body whose declared length fits cannot pass the limit: nothing to watch, and no state machine per call.
        return RequestBodyLimit.Apply(httpContext, limit) is { } body ? WatchAsync(context, next, body) : next();
    }

    private async Task WatchAsync(ResourceExecutingContext context, ResourceExecutionDelegate next, LimitedRequestBodyStream body)
    {
        var executed = await next().ConfigureAwait(false);
        var httpContext = context.HttpContext;
        if (body.LimitExceeded && executed.Exception is not null && !executed.ExceptionHandled && !httpContext.Response.HasStarted)
        {
            // Model binding threw (no result ran): the answer is written here, and the exception goes no further.
            executed.ExceptionHandled = true;
            await acceptance.BodyTooLarge(EntryOf(context), body.Limit, null).ExecuteAsync(httpContext).ConfigureAwait(false);
        }
    }

    private MvcEntry EntryOf(ResourceExecutingContext context)
        => entries.Find((ControllerActionDescriptor)context.ActionDescriptor)
            ?? throw new InvalidOperationException($"The action {context.ActionDescriptor.DisplayName} is not in the catalog of long-running endpoints.");

    /// <summary>Runs an <see cref="IResult"/> (problem+json) as an MVC action result.</summary>
    private sealed class HttpResultAction(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
