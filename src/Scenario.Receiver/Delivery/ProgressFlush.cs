namespace Scenario.Receiver.Delivery;

/// <summary>How the progress of one run of a task's work ended, which decides whether its terminal status may follow at once.</summary>
internal enum ProgressFlush
{
    /// <summary>Every progress post ended (answered, refused or failed) within the bound: the terminal status may follow.</summary>
    Flushed,

    /// <summary>A post went unanswered within the bound and was cancelled, and has ended: Scenario is not answering now.</summary>
    Abandoned,

    /// <summary>A cancelled post had still not ended: nothing may be posted for the task until the status client's own timeout has passed.</summary>
    StillSending,
}
