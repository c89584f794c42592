using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.Jobs;

/// <summary>How one run of a task's work ended for good: the outcome, and the failure that ended it, if any (timeout, last retry).</summary>
internal sealed record WorkResult(TaskOutcome Outcome, Exception? AbandonedBecause = null);
