using System.ComponentModel.DataAnnotations;

namespace Scenario.Receiver.Sample.Pricing;

/// <summary>
/// The body of <c>POST /api/pricing/runs</c>: what the scenario designer puts into the RestCall.
/// Validated in the request, before the task is accepted, so a bad body is answered 400 at once
/// instead of becoming a failed task later.
/// </summary>
public sealed class PricingRunRequest
{
    /// <summary>The longest simulated run: one hour.</summary>
    public const int MaxDurationMs = 3_600_000;

    /// <summary>The portfolio to price, e.g. <c>EQ-1</c>.</summary>
    [Required]
    public string? Portfolio { get; init; }

    /// <summary>How long the simulated pricing takes, in milliseconds.</summary>
    [Range(0, MaxDurationMs)]
    public int DurationMs { get; init; }

    /// <summary>Makes the pricing engine reject the portfolio at the end of its run, to show an <c>Error</c> status.</summary>
    public bool Fail { get; init; }
}
