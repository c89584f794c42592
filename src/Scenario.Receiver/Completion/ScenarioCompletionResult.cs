using Microsoft.AspNetCore.Http;
using Scenario.Receiver.Request;

namespace Scenario.Receiver;

/// <summary>
/// What a call of <see cref="IScenarioTaskCompletion"/> achieved: it decided the task's outcome, the task had one
/// already, or the id is not a task's. <see cref="ToHttpResult"/> answers a callback with it in one call.
/// </summary>
public sealed class ScenarioCompletionResult
{
    private ScenarioCompletionResult(string taskInstanceId, bool isDecided, bool isUnknownTask, ScenarioPriorOutcome priorOutcome)
    {
        TaskInstanceId = taskInstanceId;
        IsDecided = isDecided;
        IsUnknownTask = isUnknownTask;
        PriorOutcome = priorOutcome;
    }

    /// <summary>The task's id as the call gave it (in lower case when it is a task id).</summary>
    public string TaskInstanceId { get; }

    /// <summary>Whether this call decided the outcome; its status is on its way to Scenario (a job).</summary>
    public bool IsDecided { get; }

    /// <summary>
    /// Whether the id is not a task instance id at all (not a GUID such as Scenario issues): nothing was decided and
    /// nothing reaches Scenario. A callback endpoint answers 404 then.
    /// </summary>
    public bool IsUnknownTask { get; }

    /// <summary>
    /// When the task had an outcome already (<see cref="IsDecided"/> and <see cref="IsUnknownTask"/> both
    /// <see langword="false"/>): which, <see cref="ScenarioPriorOutcome.Completed"/>, <see cref="ScenarioPriorOutcome.Error"/>
    /// or <see cref="ScenarioPriorOutcome.CancelledByScenario"/>. A callback endpoint answers 409 then. Otherwise
    /// <see cref="ScenarioPriorOutcome.None"/>.
    /// </summary>
    public ScenarioPriorOutcome PriorOutcome { get; }

    /// <summary>
    /// The answer of a callback endpoint, from a minimal-API handler or an MVC action (declared to return
    /// <see cref="IResult"/>) alike: 200 with <c>{"taskInstanceId": …, "decided": true}</c> when this call decided the
    /// outcome (it is stored and its delivery to Scenario is a job: nothing is left for the caller to wait for);
    /// 404 problem+json when the id is not a task's; 409 problem+json naming the prior outcome
    /// (<c>priorOutcome</c>) when the task had one already.
    /// </summary>
    /// <returns>The HTTP answer.</returns>
    public IResult ToHttpResult()
    {
        if (IsDecided)
        {
            return Results.Ok(new DecidedAnswer(TaskInstanceId, Decided: true));
        }

        if (IsUnknownTask)
        {
            return ProblemResponses.NotATaskId();
        }

        var detail = PriorOutcome == ScenarioPriorOutcome.CancelledByScenario
            ? $"Scenario cancelled task {TaskInstanceId}; this outcome was not recorded."
            : $"Task {TaskInstanceId} already had an outcome ({PriorOutcome}); this one was not recorded.";
        return ProblemResponses.TaskAlreadyDecided(TaskInstanceId, PriorOutcome.ToString(), detail);
    }

    internal static ScenarioCompletionResult Decided(string taskInstanceId) => new(taskInstanceId, isDecided: true, isUnknownTask: false, ScenarioPriorOutcome.None);

    internal static ScenarioCompletionResult AlreadyFinished(string taskInstanceId, ScenarioPriorOutcome priorOutcome) => new(taskInstanceId, isDecided: false, isUnknownTask: false, priorOutcome);

    internal static ScenarioCompletionResult UnknownTask(string taskInstanceId) => new(taskInstanceId, isDecided: false, isUnknownTask: true, ScenarioPriorOutcome.None);

    /// <summary>The body of the 200 answer; camelCase by the endpoint's JSON settings.</summary>
    private sealed record DecidedAnswer(string TaskInstanceId, bool Decided);
}
