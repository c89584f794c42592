using Scenario.Receiver.Request;

namespace Scenario.Receiver;

/// <summary>
/// The Scenario task the current request or background job works for. Scoped: controllers and
/// services get it from dependency injection. In a request it holds what the <c>X-Scenario-*</c>
/// headers said; in the background job that runs a <see cref="ScenarioLongRunningAttribute"/>
/// action it holds the same task and workflow ids, restored from the job, and no <see cref="TaskStatusUrl"/>:
/// the job reports where the status URL check at acceptance said, not where a caller suggested.
/// </summary>
public sealed class ScenarioTaskContext
{
    private IScenarioProgressSink? _progressSink;

    /// <summary>The task instance id from <c>X-Scenario-TaskInstanceId</c>, or <see langword="null"/> when the caller is not Scenario.</summary>
    public string? TaskInstanceId { get; private set; }

    /// <summary>The workflow instance id from <c>X-Scenario-WorkflowInstanceId</c>, when sent.</summary>
    public string? WorkflowInstanceId { get; private set; }

    /// <summary>
    /// The status URL the caller suggested in <c>X-Scenario-TaskStatusUrl</c>, when sent and well formed; always
    /// <see langword="null"/> in the background job. Reports go there only when its origin is listed in
    /// <see cref="ScenarioReceiverOptions.AllowedStatusUrlOrigins"/>.
    /// </summary>
    public Uri? TaskStatusUrl { get; private set; }

    /// <summary>Whether the current request or job works for a Scenario task.</summary>
    public bool IsScenarioTask => TaskInstanceId is not null;

    /// <summary>
    /// <see cref="TaskInstanceId"/> where a task is known to be: in a long-running endpoint's work (the request that
    /// accepted the task, its job), e.g. to hand the id to the system that calls back. Throws outside a task, so a
    /// missing id shows where it was needed instead of travelling on as <see langword="null"/>.
    /// </summary>
    /// <returns>The task instance id, in lower case.</returns>
    /// <exception cref="InvalidOperationException">
    /// No Scenario task: the code does not run for a long-running endpoint, or a call without
    /// <c>X-Scenario-TaskInstanceId</c> ran inline (<see cref="ScenarioReceiverOptions.RunInlineWithoutTaskInstanceId"/>).
    /// </exception>
    public string RequireTaskInstanceId()
        => TaskInstanceId ?? throw new InvalidOperationException(
            $"No Scenario task here: ScenarioTaskContext.TaskInstanceId is known only in the work of a long-running endpoint ([ScenarioLongRunning] or WithScenarioLongRunning()) called with {ScenarioHeaderNames.TaskInstanceId}. "
            + $"A call without that header runs inline only when Scenario:{nameof(ScenarioReceiverOptions.RunInlineWithoutTaskInstanceId)} is true; where both can happen, check {nameof(IsScenarioTask)} first.");

    /// <summary>Whether the headers were already read for this scope (by the middleware or the filter).</summary>
    internal bool IsCaptured { get; private set; }

    /// <summary>
    /// Tells Scenario how far the work has come: posts <c>InProgress</c> with the percentage (clamped to 0..100)
    /// and an optional message. Best effort: it never fails the work, and it does nothing outside a
    /// long-running job or after the task's terminal status.
    /// </summary>
    /// <param name="percent">How far the work has come, 0 to 100.</param>
    /// <param name="message">Shown in the Scenario cockpit.</param>
    /// <param name="cancellationToken">Stops waiting for the post.</param>
    public Task ReportProgressAsync(int percent, string? message = null, CancellationToken cancellationToken = default)
        => _progressSink?.ReportAsync(Math.Clamp(percent, 0, 100), message, cancellationToken) ?? Task.CompletedTask;

    internal void Capture(string? taskInstanceId, string? workflowInstanceId, Uri? taskStatusUrl)
    {
        TaskInstanceId = taskInstanceId;
        WorkflowInstanceId = workflowInstanceId;
        TaskStatusUrl = taskStatusUrl;
        IsCaptured = true;
    }

    internal void AttachProgressSink(IScenarioProgressSink? sink) => _progressSink = sink;
}
