using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Entries;

/// <summary>What the task headers of a call to a long-running endpoint allow: accept a task, run inline, or the answer already decided.</summary>
internal readonly record struct TaskCheck(TaskCheckKind Kind, IResult? Answer = null)
{
    public static readonly TaskCheck Accept = new(TaskCheckKind.Accept);
    public static readonly TaskCheck RunInline = new(TaskCheckKind.RunInline);

    public static TaskCheck Answered(IResult answer) => new(TaskCheckKind.Answered, answer);
}

internal enum TaskCheckKind
{
    /// <summary>A Scenario task: accept it.</summary>
    Accept,

    /// <summary>No task id, and <see cref="ScenarioReceiverOptions.RunInlineWithoutTaskInstanceId"/> says run the endpoint as an ordinary request.</summary>
    RunInline,

    /// <summary>Answered without running anything: a bad or missing header.</summary>
    Answered,
}
