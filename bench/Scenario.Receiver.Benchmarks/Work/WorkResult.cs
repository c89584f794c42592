namespace Scenario.Receiver.Benchmarks.Work;

/// <summary>What the work answers; its properties become Scenario's <c>outputValues</c>.</summary>
public sealed record WorkResult(string Portfolio, int Quantity, decimal Notional, bool Urgent, DateTimeOffset AsOf);
