using System.ComponentModel.DataAnnotations;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>The body of <c>POST /work</c>.</summary>
public sealed class WorkRequest
{
    [Required]
    public string? Portfolio { get; init; }

    public int Quantity { get; init; }

    [Range(0, 600_000)]
    public int DurationMs { get; init; }
}
