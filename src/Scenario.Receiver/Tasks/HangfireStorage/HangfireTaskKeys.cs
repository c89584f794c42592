namespace Scenario.Receiver.Tasks.HangfireStorage;

/// <summary>
/// The layout of the task records in Hangfire's job storage: the hash of each task and its field names, its lock
/// resources, and the sets that index the tasks. In one place because every instance sharing the storage, and every
/// earlier version that wrote to it, must agree on these names: renaming one loses the records written under it.
/// </summary>
internal static class HangfireTaskKeys
{
    private const string KeyPrefix = "scenario:task:";
    internal const string AcceptLockSuffix = ":accept-lock";
    internal const string ReportLockSuffix = ":report-lock";
    internal const string DecideLockSuffix = ":decide-lock";

    /// <summary>The tasks whose terminal status waits for Scenario (retrying or refused): the health check and the dashboard's menu count them.</summary>
    internal const string UndeliveredSetKey = "scenario:undelivered";

    /// <summary>The unreported tasks, each scored by the time of the sweeper's next look (<see cref="HangfireDueTimes.Score"/>).</summary>
    internal const string UnreportedSetKey = "scenario:unreported";

    /// <summary>The deferred tasks, each scored by the time of its next cancellation check.</summary>
    internal const string CancellationCheckSetKey = "scenario:cancellation-checks";

    /// <summary>The tasks the sweeper found stuck, until they are reported: the health check counts them.</summary>
    internal const string RecoveringSetKey = "scenario:recovering";

    /// <summary>Every accepted task, scored by its acceptance (Unix milliseconds): the dashboard pages it, newest first.</summary>
    internal const string AcceptedSetKey = "scenario:accepted";

    /// <summary>
    /// The accepted tasks of one <see cref="TaskStanding"/> (the enum's name follows), each scored by its acceptance, negated
    /// (<see cref="HangfireTaskListing.NewestFirst"/>): the dashboard pages a standing's list from its lowest score. Every write
    /// that can move a task's standing moves it here in the write's own transaction (<see cref="HangfireTaskListing.MoveStanding"/>).
    /// </summary>
    private const string StandingSetPrefix = "scenario:standing:";

    internal const string JobIdField = "JobId";
    internal const string ReportJobIdField = "ReportJobId";
    internal const string QueueField = "Queue";
    internal const string WorkflowField = "WorkflowInstanceId";
    internal const string ActionField = "Action";
    internal const string AcceptedAtField = "AcceptedAt";
    internal const string OutcomeField = "Outcome";
    internal const string ReportedStatusField = "ReportedStatus";
    internal const string ReportedAtField = "ReportedAt";

    /// <summary>Set while a task waits for an explicit completion; other code (a sweeper) leaves such tasks alone.</summary>
    internal const string DeferredUntilField = "DeferredUntil";
    internal const string DeadlineJobIdField = "DeadlineJobId";
    internal const string CancelledByScenarioAtField = "CancelledByScenarioAt";
    internal const string CancellationCheckJobIdField = "CancellationCheckJobId";

    /// <summary>"1" while a terminal post is under way, empty once its answer is known (<see cref="TaskRecord.UnfinishedPost"/>).</summary>
    internal const string UnfinishedPostField = "UnfinishedPost";
    internal const string StatusUrlField = "StatusUrl";
    internal const string DecidedByField = "DecidedBy";
    internal const string ProgressUntilField = "ProgressUntil";
    internal const string DecidedAtField = "DecidedAt";
    internal const string DeliveryField = "Delivery";

    /// <summary>The hash of a task, by its canonical id; its lock resources add a suffix to it.</summary>
    internal static string Key(string taskInstanceId) => KeyPrefix + taskInstanceId;

    /// <summary>The set of the accepted tasks of one standing (<see cref="StandingSetPrefix"/>).</summary>
    internal static string StandingSetKey(TaskStanding standing) => StandingSetPrefix + standing;
}
