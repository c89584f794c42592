namespace Scenario.Receiver.Work;

/// <summary>What one attempt of a task's work is given: the carried arguments, the request snapshot, where progress goes, which attempt it is.</summary>
internal sealed record WorkInput(string ArgumentsJson, string? RequestSnapshot, string? StatusUrl, int Attempt);
