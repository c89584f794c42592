namespace Scenario.Receiver.Testing;

/// <summary>The answer to one request, and what it adds to the log besides the request itself.</summary>
internal sealed record StandInDecision(
    StandInAnswer Answer,
    ReceivedTaskStatus? AcceptedStatus = null,
    ReceivedCancellationQuery? CancellationQuery = null);
