namespace Scenario.Receiver.Testing;

/// <summary>The parts of a request that a <see cref="ReceivedTaskStatus"/> keeps besides its body.</summary>
internal readonly record struct RequestFacts(string? Authorization, string? ContentType, string? Accept, DateTimeOffset ReceivedAt);
