namespace Scenario.Receiver.Tasks;

/// <summary>What a settled task had when another path tried to decide it: <see cref="TaskDecision.Prior"/>.</summary>
internal enum TaskSettlement
{
    Completed,
    Error,
    CancelledByScenario,
}
