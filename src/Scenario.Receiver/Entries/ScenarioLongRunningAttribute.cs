using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Scenario.Receiver.Entries.Mvc;

namespace Scenario.Receiver;

/// <summary>
/// Moves a controller action's body out of the request into a Hangfire job. The request still goes
/// through routing, authorization, model binding and validation; then, instead of running the action,
/// the library enqueues one job for the Scenario task and answers <c>202 Accepted</c> with
/// <c>{"taskInstanceId": "…", "jobId": "…"}</c>. When the job ends, Scenario receives <c>Completed</c>
/// or <c>Error</c> with the status code the action would have answered. For a minimal-API endpoint, call
/// <c>WithScenarioLongRunning()</c> instead: this attribute on a handler alone stops the host at start-up
/// with a message that says so, rather than being ignored. In a host that never called <c>AddScenarioReceiver</c>,
/// <c>MapControllers()</c> throws with a message naming that call, rather than the action running in the request.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ScenarioLongRunningAttribute : Attribute, IActionModelConvention
{
    /// <summary>
    /// The order of the action filter that accepts the task: after every other action filter
    /// (<see cref="int.MaxValue"/> minus a margin for a user who needs to be later still), so their checks
    /// decide before a task is accepted, and none of them runs "around" an action that is not executed in the request.
    /// </summary>
    public const int FilterOrder = int.MaxValue - 1000;

    /// <summary>The most retries an action may ask for.</summary>
    public const int MaxRetries = 100;

    private int _retries;
    private int _timeoutSeconds;

    /// <summary>
    /// How many times failed work is tried again before Scenario receives <c>Error</c>. Default 0: the work
    /// runs once (Hangfire may still run it again after a crash: make it idempotent).
    /// </summary>
    public int Retries
    {
        get => _retries;
        set => _retries = value is >= 0 and <= MaxRetries
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Retries must be between 0 and {MaxRetries}.");
    }

    /// <summary>
    /// Seconds the work may run before its cancellation token fires and Scenario receives <c>Error</c>
    /// "timed out after …". Default 0: <see cref="ScenarioReceiverOptions.DefaultTimeout"/> applies.
    /// </summary>
    public int TimeoutSeconds
    {
        get => _timeoutSeconds;
        set => _timeoutSeconds = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "TimeoutSeconds must not be negative.");
    }

    /// <summary>The Hangfire queue the work goes to. Default <see langword="null"/>: Hangfire's "default" queue.</summary>
    public string? Queue { get; set; }

    /// <summary>
    /// MVC applies an action's attributes that are conventions without any registration, while it builds its
    /// application model in <c>MapControllers()</c>, at start-up: the one hook a host without the receiver's services
    /// still runs. Without it the attribute would be ignored there and the action would run in the request.
    /// </summary>
    void IActionModelConvention.Apply(ActionModel action) => LongRunningApplicationModelProvider.EnsurePlaced(action);
}
