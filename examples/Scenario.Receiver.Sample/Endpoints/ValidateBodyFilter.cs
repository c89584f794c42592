using System.ComponentModel.DataAnnotations;

namespace Scenario.Receiver.Sample.Endpoints;

/// <summary>
/// Validates a minimal-API endpoint's <typeparamref name="TBody"/> argument by its data annotations, answering
/// 400 problem+json with the errors (and a missing body as one of them). Added before <c>WithScenarioLongRunning()</c>, it runs in the request: a bad body is
/// answered at once instead of becoming a failed task later. (Filters added after it run in the job.)
/// </summary>
internal sealed class ValidateBodyFilter<TBody> : IEndpointFilter
    where TBody : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // Filters run even when the body did not bind: an empty or "null" body arrives here as no TBody at all.
        if (context.Arguments.OfType<TBody>().FirstOrDefault() is not { } body)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [typeof(TBody).Name] = ["A non-empty JSON request body is required."] },
                title: "The request body is missing");
        }

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(body, new ValidationContext(body), errors, validateAllProperties: true))
        {
            return TypedResults.ValidationProblem(errors
                .SelectMany(error => error.MemberNames.DefaultIfEmpty(string.Empty), (error, member) => (member, error.ErrorMessage ?? "invalid"))
                .GroupBy(pair => pair.member, pair => pair.Item2)
                .ToDictionary(group => group.Key, group => group.ToArray()));
        }

        return await next(context);
    }
}
