namespace Scenario.Receiver.Tasks;

/// <summary>How long the per-task locks of every <see cref="ITaskStore"/> wait and last.</summary>
internal static class TaskLocks
{
    /// <summary>
    /// What a delivery waits for the report lock beyond <see cref="ScenarioReportingOptions.RequestTimeout"/>:
    /// room for the storage round trips of the delivery that holds it.
    /// </summary>
    internal static readonly TimeSpan ReportLockMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A sweep waits this long for another instance's sweep to end, then skips its turn: one sweep at a time
    /// is enough, and the per-task report lock keeps even two from reporting a task twice.
    /// </summary>
    internal static readonly TimeSpan SweepLockTimeout = TimeSpan.FromSeconds(1);

    /// <summary>An HTTP request (or a decision) waits this long at most for a concurrent one on the same task.</summary>
    internal static readonly TimeSpan AcceptLockTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// What a progress post waits for the report lock before it gives up: a lock held longer is a terminal post, after
    /// which no progress may go, and progress is best effort anyway.
    /// </summary>
    internal static readonly TimeSpan ProgressLockTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far ahead a state filter sets a task's look where the task store is not Hangfire's storage (PostgreSQL, memory):
    /// its write commits at once, but the job's new state only with Hangfire's transaction, a moment later, and a look
    /// before that would find the job's old state and put the task off for a horizon.
    /// </summary>
    internal static readonly TimeSpan StateChangeCommitGrace = TimeSpan.FromSeconds(2);

    internal static TimeSpan ReportLockTimeoutFor(ScenarioReportingOptions reporting) => reporting.RequestTimeout + ReportLockMargin;
}
