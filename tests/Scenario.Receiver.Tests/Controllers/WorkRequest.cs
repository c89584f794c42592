using System.ComponentModel.DataAnnotations;

namespace Scenario.Receiver.Tests.Controllers;

public sealed class WorkRequest
{
    [Required]
    public string? Portfolio { get; set; }

    [Range(0, 1000)]
    public int Quantity { get; set; }

    public DateTimeOffset AsOf { get; set; }

    public decimal Price { get; set; }

    public bool Urgent { get; set; }

    public WorkDetail? Detail { get; set; }
}

public sealed record WorkDetail(string Desk, IReadOnlyList<int> Legs);

public sealed record WorkResult(string Portfolio, int Quantity, decimal Price, bool Urgent, DateTimeOffset AsOf, WorkDetail? Detail, string? Missing = null);
