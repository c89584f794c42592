using System.Globalization;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Work;

/// <summary>
/// What a work job's final state says of its task where a plain "Succeeded" would be misread: a deferred task is still
/// running in Scenario, a task decided by another path gets that path's status, and a work that ended Error was no success.
/// </summary>
internal static class StateReasons
{
    public static string DeferredFor(TimeSpan deadline)
        => string.Create(CultureInfo.InvariantCulture, $"Deferred: the task is still running in Scenario, waiting for its completion (a callback) for up to {deadline:c}, then Error 504. Nothing is reported yet.");

    public static string Deferred(DateTimeOffset until)
        => string.Create(CultureInfo.InvariantCulture, $"Deferred: the task is still running in Scenario, waiting for its completion (a callback) until {until:O}, then Error 504. Nothing is reported yet.");

    public static string Decided(TaskOutcome outcome, TaskDecider? decidedBy, bool byThisRun)
        => string.Create(CultureInfo.InvariantCulture, $"{(byThisRun ? "The work ended" : $"Decided by {decidedBy?.ToString() ?? "an earlier run"}")}: Scenario receives {outcome.Status} {outcome.StatusCode}{(outcome.Message is null ? string.Empty : ": " + outcome.Message)}");
}
