using System.ComponentModel.DataAnnotations;

namespace Scenario.Receiver.Sample.Endpoints;

/// <summary>
/// Validates a minimal-API endpoint's <typeparamref name="TBody"/> argument by its data annotations, answering
/// 400 with the errors. Added before <c>WithScenarioLongRunning()</c>, it runs in the request: a bad body is
/// answered at once instead of becoming a failed task later. (Filters added after it run in the job.)
/// </summary>
internal sealed class ValidateBodyFilter<TBody> : IEndpointFilter
    where TBody : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<TBody>().First();
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
