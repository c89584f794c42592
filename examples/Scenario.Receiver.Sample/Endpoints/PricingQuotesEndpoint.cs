using Scenario.Receiver.Sample.Pricing;

namespace Scenario.Receiver.Sample.Endpoints;

/// <summary>
/// <c>POST /api/pricing/quotes</c>: the minimal-API twin of <c>POST /api/pricing/runs</c>, same body, same
/// outcome. <c>WithScenarioLongRunning()</c> is the only Scenario-specific line: the call is validated and
/// answered 202 at once, the handler runs in a Hangfire job, and what it returns (200 with the price) or
/// throws (500 with the message) is the status Scenario receives.
/// </summary>
internal static class PricingQuotesEndpoint
{
    public const string Path = "/api/pricing/quotes";

    public static RouteHandlerBuilder MapPricingQuotes(this IEndpointRouteBuilder app)
        => app.MapPost(Path, async (PricingRunRequest request, PricingEngine engine, CancellationToken cancellationToken) =>
            {
                var portfolio = request.Portfolio!;
                var price = await engine.PriceAsync(portfolio, TimeSpan.FromMilliseconds(request.DurationMs), request.Fail, cancellationToken);
                return TypedResults.Ok(new { portfolio, price, currency = "EUR", pricedAt = DateTimeOffset.UtcNow });
            })
            .WithName("PricingQuote")
            .WithTags("Pricing")
            // Added before WithScenarioLongRunning(), so it runs in the request: a bad body is answered 400
            // at once instead of becoming a failed task later. (Filters added after it run in the job.)
            .AddEndpointFilter<RouteHandlerBuilder, ValidateBodyFilter<PricingRunRequest>>()
            .WithScenarioLongRunning();
}
