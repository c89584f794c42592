using System.Globalization;
using System.Text;

namespace Scenario.Receiver.Testing;

/// <summary>
/// A task status (Scenario's <c>TaskStatusEvent</c>) that a <see cref="ScenarioStandIn"/> accepted,
/// with the headers it came with.
/// </summary>
public sealed class ReceivedTaskStatus
{
    /// <summary>The <see cref="Status"/> of a progress report.</summary>
    public const string InProgressStatus = "InProgress";

    /// <summary>The <see cref="Status"/> of a task that ended well; terminal.</summary>
    public const string CompletedStatus = "Completed";

    /// <summary>The <see cref="Status"/> of a task that failed; terminal.</summary>
    public const string ErrorStatus = "Error";

    /// <summary>The key of <see cref="OutputValues"/> that a RestCall task needs: the HTTP status code, as a string.</summary>
    public const string StatusCodeOutputKey = "statusCode";

    internal ReceivedTaskStatus(
        string taskInstanceId,
        string status,
        int? progressPercentage,
        string? message,
        IReadOnlyDictionary<string, string> outputValues,
        IReadOnlyDictionary<string, string> invariants,
        string rawBody,
        string? authorization,
        string? contentType,
        string? accept,
        DateTimeOffset receivedAt)
    {
        TaskInstanceId = taskInstanceId;
        Status = status;
        ProgressPercentage = progressPercentage;
        Message = message;
        OutputValues = outputValues;
        Invariants = invariants;
        RawBody = rawBody;
        Authorization = authorization;
        ContentType = contentType;
        Accept = accept;
        ReceivedAt = receivedAt;
    }

    /// <summary>The <c>taskInstanceId</c> of the body.</summary>
    public string TaskInstanceId { get; }

    /// <summary>The <c>status</c> of the body: <see cref="InProgressStatus"/>, <see cref="CompletedStatus"/> or <see cref="ErrorStatus"/>.</summary>
    public string Status { get; }

    /// <summary>The <c>progressPercentage</c> of the body, 0 to 100; <see langword="null"/> when absent.</summary>
    public int? ProgressPercentage { get; }

    /// <summary>The <c>message</c> of the body; <see langword="null"/> when absent.</summary>
    public string? Message { get; }

    /// <summary>The <c>outputValues</c> of the body, all strings; empty when absent. Keys are case-sensitive, as in JSON.</summary>
    public IReadOnlyDictionary<string, string> OutputValues { get; }

    /// <summary>The <c>invariants</c> of the body, all strings; empty when absent. Keys are case-sensitive, as in JSON.</summary>
    public IReadOnlyDictionary<string, string> Invariants { get; }

    /// <summary>The body exactly as it arrived, for assertions on the wire format.</summary>
    public string RawBody { get; }

    /// <summary>The raw <c>Authorization</c> header, e.g. <c>bearer stand-in-api-key</c>.</summary>
    public string? Authorization { get; }

    /// <summary>The raw <c>Content-Type</c> header.</summary>
    public string? ContentType { get; }

    /// <summary>The raw <c>Accept</c> header; <see langword="null"/> when the sender did not send one.</summary>
    public string? Accept { get; }

    /// <summary>When the post arrived.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Whether this status ends the task: <see cref="CompletedStatus"/> or <see cref="ErrorStatus"/>.</summary>
    public bool IsTerminal => Status is CompletedStatus or ErrorStatus;

    /// <summary>The <c>outputValues.statusCode</c> string, or <see langword="null"/> when absent.</summary>
    public string? OutputStatusCode => OutputValues.TryGetValue(StatusCodeOutputKey, out var value) ? value : null;

    /// <summary>
    /// A one-line summary for assertion and timeout messages,
    /// e.g. <c>364e21c2-… Completed statusCode=200 "done"</c>.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(TaskInstanceId).Append(' ').Append(Status);
        if (ProgressPercentage is int progress)
        {
            text.Append(' ').Append(progress.ToString(CultureInfo.InvariantCulture)).Append('%');
        }

        if (OutputStatusCode is string statusCode)
        {
            text.Append(" statusCode=").Append(statusCode);
        }

        if (Message is not null)
        {
            text.Append(" \"").Append(Message).Append('"');
        }

        return text.ToString();
    }
}
