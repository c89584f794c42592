namespace Scenario.Receiver.Sample.Pricing;

/// <summary>
/// A stand-in for a slow pricing library. It runs inside the Hangfire job, so it can ask for the scoped
/// <see cref="ScenarioTaskContext"/> like any other service and tell Scenario how far it has come.
/// </summary>
public sealed class PricingEngine
{
    private const int Steps = 10;

    private readonly ScenarioTaskContext _task;

    public PricingEngine(ScenarioTaskContext task) => _task = task;

    /// <summary>Prices <paramref name="portfolio"/> in <paramref name="duration"/>, reporting progress every 10%.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="reject"/> is set: the engine rejects the portfolio at the end.</exception>
    public async Task<decimal> PriceAsync(string portfolio, TimeSpan duration, bool reject, CancellationToken cancellationToken)
    {
        var step = duration / Steps;
        for (var done = 0; done < Steps; done++)
        {
            var percent = done * 100 / Steps;
            await _task.ReportProgressAsync(percent, $"Pricing {portfolio}: {percent}% of the positions valued", cancellationToken);

            // The simulated work. It honours the token: Hangfire cancels it on shutdown, when the job is
            // deleted from the dashboard, or when the action's timeout passes.
            await Task.Delay(step, cancellationToken);
        }

        if (reject)
        {
            throw new InvalidOperationException($"Pricing engine rejected portfolio {portfolio}");
        }

        return PriceOf(portfolio);
    }

    /// <summary>A made-up but stable price, so the same portfolio always prices the same.</summary>
    private static decimal PriceOf(string portfolio)
    {
        // Not string.GetHashCode: it differs from run to run.
        var hash = 17;
        foreach (var c in portfolio)
        {
            hash = unchecked((hash * 31) + c);
        }

        return 100m + (Math.Abs(hash % 100_000) / 100m);
    }
}
