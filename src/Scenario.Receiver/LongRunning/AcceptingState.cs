using Hangfire.States;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// The work job's state between its creation and its enqueueing, while the report job is attached to it.
/// No worker can fetch a job in this state, so attaching the continuation never competes with a worker
/// for the job's state lock. On PostgreSQL storage a lost race for that lock costs a wait of up to a
/// second (Hangfire.PostgreSql polls a contended lock once a second), which made about every other
/// RestCall take a second to answer when the work job was created already enqueued.
/// </summary>
internal sealed class AcceptingState : IState
{
    public const string StateName = "Accepting";

    public string Name => StateName;

    public string Reason => "The task is being accepted: its report job is attached before the work is enqueued.";

    public bool IsFinal => false;

    public bool IgnoreJobLoadException => false;

    public Dictionary<string, string> SerializeData() => [];
}
