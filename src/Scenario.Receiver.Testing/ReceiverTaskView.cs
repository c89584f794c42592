using System.Globalization;
using System.Text.Json;

namespace Scenario.Receiver.Testing;

/// <summary>
/// What a receiver knows of one task, as its task status endpoint (<c>GET /scenario/tasks/{taskInstanceId}</c>,
/// mapped by <c>app.MapScenarioTaskStatus()</c>) answers it: read by <see cref="TaskStatusEndpointClient"/>.
/// </summary>
public sealed class ReceiverTaskView
{
    private ReceiverTaskView(JsonElement root, string rawBody)
    {
        TaskInstanceId = String(root, "taskInstanceId") ?? string.Empty;
        WorkflowInstanceId = String(root, "workflowInstanceId");
        Endpoint = String(root, "endpoint");
        AcceptedAt = Time(root, "acceptedAt");
        JobId = String(root, "jobId");
        State = String(root, "state");
        ReportedStatus = String(root, "reportedStatus");
        ReportedAt = Time(root, "reportedAt");
        IsDeferred = Flag(root, "deferred");
        DeferredUntil = Time(root, "deferredUntil");
        IsCancelledByScenario = Flag(root, "cancelledByScenario");
        CancelledByScenarioAt = Time(root, "cancelledByScenarioAt");
        RawBody = rawBody;
    }

    /// <summary>The task instance id (<c>taskInstanceId</c>).</summary>
    public string TaskInstanceId { get; }

    /// <summary>The workflow instance id the RestCall carried (<c>workflowInstanceId</c>); <see langword="null"/> without one.</summary>
    public string? WorkflowInstanceId { get; }

    /// <summary>The endpoint that accepted the task (<c>endpoint</c>), e.g. <c>PricingRuns.Run</c> or <c>POST /api/pricing/quotes</c>.</summary>
    public string? Endpoint { get; }

    /// <summary>When the task was accepted (<c>acceptedAt</c>).</summary>
    public DateTimeOffset? AcceptedAt { get; }

    /// <summary>The Hangfire id of the task's work job (<c>jobId</c>).</summary>
    public string? JobId { get; }

    /// <summary>The work job's Hangfire state (<c>state</c>): <c>Enqueued</c>, <c>Processing</c>, <c>Succeeded</c>, <c>Scheduled</c> (a retry), ….</summary>
    public string? State { get; }

    /// <summary>The terminal status Scenario took (<c>reportedStatus</c>): <c>Completed</c> or <c>Error</c>; <see langword="null"/> until then.</summary>
    public string? ReportedStatus { get; }

    /// <summary>When Scenario took <see cref="ReportedStatus"/> (<c>reportedAt</c>).</summary>
    public DateTimeOffset? ReportedAt { get; }

    /// <summary>
    /// Whether the task is deferred (<c>deferred</c>): its work returned <c>ScenarioResults.Deferred</c> and it waits for
    /// <c>IScenarioTaskCompletion</c> until <see cref="DeferredUntil"/>. <see langword="false"/> once it is decided.
    /// </summary>
    public bool IsDeferred { get; }

    /// <summary>The deadline of a deferred task (<c>deferredUntil</c>), after which Scenario receives Error 504.</summary>
    public DateTimeOffset? DeferredUntil { get; }

    /// <summary>Whether Scenario's cancellation query said Scenario cancelled the task (<c>cancelledByScenario</c>): nothing is reported then.</summary>
    public bool IsCancelledByScenario { get; }

    /// <summary>When the receiver learned that Scenario cancelled the task (<c>cancelledByScenarioAt</c>).</summary>
    public DateTimeOffset? CancelledByScenarioAt { get; }

    /// <summary>The endpoint's JSON answer as text, for assertion messages and fields this class does not name.</summary>
    public string RawBody { get; }

    /// <summary>The endpoint's JSON answer as it was received, e.g. for a timeout's message.</summary>
    /// <returns><see cref="RawBody"/>.</returns>
    public override string ToString() => RawBody;

    internal static ReceiverTaskView Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"The task status endpoint answered JSON that is not an object: {body}");
        }

        return new ReceiverTaskView(document.RootElement, body);
    }

    private static string? String(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Flag(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static DateTimeOffset? Time(JsonElement root, string name)
        => String(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;
}
