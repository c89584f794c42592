namespace Scenario.Receiver.Benchmarks.Work;

/// <summary>
/// The "work" of a task, kept trivial on purpose: the benchmarks measure what surrounds the work
/// (accepting, enqueueing, reporting), so the work itself must cost next to nothing and the same in every variant.
/// </summary>
public static class PricingWork
{
    /// <summary>The body every load request sends, and the micro benchmarks bind.</summary>
    public const string RequestBody =
        """{"portfolio":"EQ-1","quantity":256,"price":101.25,"urgent":false,"asOf":"2026-11-27T09:30:00+00:00"}""";

    public static WorkRequest SampleRequest() => new()
    {
        Portfolio = "EQ-1",
        Quantity = 256,
        Price = 101.25m,
        Urgent = false,
        AsOf = new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero),
    };

    public static WorkResult Run(WorkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new WorkResult(request.Portfolio ?? string.Empty, request.Quantity, request.Quantity * request.Price, request.Urgent, request.AsOf);
    }
}
