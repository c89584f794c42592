namespace Scenario.Receiver;

/// <summary>
/// Finishes a Scenario task from anywhere: a callback from the system the work was handed to, a deferred
/// task's completion, a plain action that hands work off itself. Exactly once with every other path (the
/// task's work, its deadline, a second callback, another instance): the first outcome decided wins and is
/// the only terminal status Scenario receives. Registered by <c>AddScenarioReceiver</c>.
/// An id that is not a task instance id (not a GUID, as a callback's URL may hold anything) is answered as an unknown
/// task, never with an exception and never passed on to Scenario.
/// </summary>
public interface IScenarioTaskCompletion
{
    /// <summary>
    /// Completes the task with <paramref name="outputs"/> (an object's properties or a dictionary, each value sent
    /// as a string, as an endpoint's result is; <c>statusCode</c> 200 is added). Returns once the outcome is stored
    /// and its delivery is a job, not once Scenario answered.
    /// </summary>
    /// <param name="taskInstanceId">
    /// The task, as Scenario sent it in <c>X-Scenario-TaskInstanceId</c> (a GUID, in either case). Any other id decides
    /// nothing: <see cref="ScenarioCompletionResult.IsUnknownTask"/>. A GUID this receiver never accepted is decided too,
    /// and its status goes to <c>Scenario:BaseUrl</c>: check <see cref="IsKnownAsync"/> first where only tasks accepted
    /// here may be finished.
    /// </param>
    /// <param name="outputs">The task's outputs, or <see langword="null"/> for none but <c>statusCode</c>.</param>
    /// <param name="message">Shown in the Scenario cockpit; a short trace when left out.</param>
    /// <param name="cancellationToken">
    /// Cancels the wait for the task's lock (while another path decides the task), with an <see cref="OperationCanceledException"/>
    /// and nothing decided. Once the outcome is decided, its delivery is made durable whatever the token says.
    /// </param>
    /// <returns>
    /// Whether this call decided the outcome, the task had one already, or the id is not a task's;
    /// <see cref="ScenarioCompletionResult.ToHttpResult"/> makes it a callback's answer.
    /// </returns>
    Task<ScenarioCompletionResult> CompleteAsync(string taskInstanceId, object? outputs, string? message = null, CancellationToken cancellationToken = default);

    /// <summary>Fails the task: Scenario receives <c>Error</c> with <paramref name="message"/> and <c>statusCode</c>. Otherwise as <see cref="CompleteAsync"/>.</summary>
    /// <param name="taskInstanceId">The task (a GUID); any other id decides nothing, as for <see cref="CompleteAsync"/>.</param>
    /// <param name="message">Why it failed, shown in the Scenario cockpit.</param>
    /// <param name="statusCode">The <c>statusCode</c> output, 400 to 599. Default 500.</param>
    /// <param name="cancellationToken">Cancels the wait for the task's lock, as for <see cref="CompleteAsync"/>.</param>
    /// <returns>Whether this call decided the outcome, the task had one already, or the id is not a task's.</returns>
    Task<ScenarioCompletionResult> FailAsync(string taskInstanceId, string message, int statusCode = 500, CancellationToken cancellationToken = default);

    /// <summary>
    /// Posts <c>InProgress</c> with <paramref name="percent"/> now, unless the task already has an outcome (nothing may
    /// follow the terminal status). Best effort, not durable: a failed post is not retried. A terminal post in flight is
    /// waited for, then the task is found reported and nothing is posted; no lock is held across this post itself.
    /// </summary>
    /// <param name="taskInstanceId">The task (a GUID); for any other id nothing is posted and the answer is <see langword="false"/>.</param>
    /// <param name="percent">0 to 100.</param>
    /// <param name="message">Shown in the Scenario cockpit.</param>
    /// <param name="cancellationToken">Cancels the wait for a terminal post in flight, and the post.</param>
    /// <returns>Whether Scenario took the progress.</returns>
    Task<bool> ReportProgressAsync(string taskInstanceId, int percent, string? message = null, CancellationToken cancellationToken = default);

    /// <summary>Whether this receiver (any instance sharing its job storage) accepted the task and still keeps its record.</summary>
    /// <param name="taskInstanceId">The task (a GUID); any other id is not known.</param>
    /// <param name="cancellationToken">Cancels the read of the task's record.</param>
    /// <returns><see langword="true"/> when the task was accepted here; <see langword="false"/> otherwise, also for an id that is not a GUID.</returns>
    Task<bool> IsKnownAsync(string taskInstanceId, CancellationToken cancellationToken = default);
}
