using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>What an action's return value would have answered: MVC's own results here, everything else (an <see cref="IResult"/>, a plain value) as the core reads it.</summary>
internal static class MvcAnswer
{
    public static EndpointAnswer From(object? returned)
    {
        if (returned is IConvertToActionResult convertible)
        {
            returned = convertible.Convert();
        }

        return returned switch
        {
            ObjectResult objectResult => new(objectResult.StatusCode ?? StatusCodes.Status200OK, objectResult.Value),
            IStatusCodeActionResult statusCodeResult => new(statusCodeResult.StatusCode ?? StatusCodes.Status200OK, null),
            IActionResult and not IResult => new(StatusCodes.Status200OK, null),
            _ => EndpointAnswer.FromReturnValue(returned),
        };
    }
}
