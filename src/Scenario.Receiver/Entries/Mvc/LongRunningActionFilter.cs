using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// The MVC entry point's filter on a <see cref="ScenarioLongRunningAttribute"/> action. It is an action
/// filter because it needs the bound arguments: by the time it runs, routing, authorization, model binding
/// and validation are done. It does not call the action; <see cref="RequestAcceptance"/> accepts the task
/// and the filter writes its answer.
/// </summary>
internal sealed class LongRunningActionFilter(MvcEntrySource entries, RequestAcceptance acceptance) : IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var check = await acceptance.CheckTaskAsync(context.HttpContext).ConfigureAwait(false);
        switch (check.Kind)
        {
            case TaskCheckKind.RunInline:
                await next().ConfigureAwait(false);
                return;
            case TaskCheckKind.Answered:
                context.Result = new HttpResultAction(check.Answer!);
                return;
        }

        if (!context.ModelState.IsValid)
        {
            // [ApiController] answers this before we run; a plain controller gets the same answer here,
            // because a task whose input does not bind must not be enqueued.
            context.Result = new BadRequestObjectResult(new ValidationProblemDetails(context.ModelState));
            return;
        }

        var entry = entries.Find((ControllerActionDescriptor)context.ActionDescriptor)
            ?? throw new InvalidOperationException($"The action {context.ActionDescriptor.DisplayName} is not in the catalog of long-running endpoints.");
        context.Result = new HttpResultAction(await acceptance.AcceptAsync(context.HttpContext, entry, new MvcBoundArguments(context.ActionArguments)).ConfigureAwait(false));
    }

    /// <summary>Runs an <see cref="IResult"/> (problem+json, the 202) as an MVC action result.</summary>
    private sealed class HttpResultAction(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
