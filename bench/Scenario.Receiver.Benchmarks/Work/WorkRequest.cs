namespace Scenario.Receiver.Benchmarks.Work;

/// <summary>The request body every variant binds: the same bytes go to (a), (b) and (c).</summary>
public sealed class WorkRequest
{
    public string? Portfolio { get; set; }

    public int Quantity { get; set; }

    public decimal Price { get; set; }

    public bool Urgent { get; set; }

    public DateTimeOffset AsOf { get; set; }
}
