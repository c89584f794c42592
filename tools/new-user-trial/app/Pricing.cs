using System.Collections.Concurrent;

namespace PricingService;

public sealed record QuoteRequest(string Instrument, decimal Notional);

public sealed record Quote(string Instrument, decimal Price);

public sealed record PricingRequest(string Portfolio, int Paths);

public sealed record PriceResult(string Portfolio, decimal Price, int Paths);

public sealed record PricingBatchRequest(string Portfolio);

public sealed record BatchResult(decimal? Price, string? Error);

public sealed class PricingEngine
{
    public async Task<Quote> QuoteAsync(QuoteRequest request, CancellationToken ct)
    {
        await Task.Delay(200, ct);
        return new Quote(request.Instrument, request.Notional * 0.01m);
    }

    public async Task<PriceResult> PriceAsync(PricingRequest request, CancellationToken ct)
    {
        await Task.Delay(500, ct);
        if (request.Paths <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "Paths must be positive.");
        }

        return new PriceResult(request.Portfolio, 101.5m, request.Paths);
    }
}

/// <summary>Another system that calls back later; here it only remembers which task to call back for.</summary>
public sealed class BatchSystem
{
    public ConcurrentDictionary<string, string> Submitted { get; } = new();

    public void Submit(string portfolio, string callbackFor) => Submitted[callbackFor] = portfolio;
}
