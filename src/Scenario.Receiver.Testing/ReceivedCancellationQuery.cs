using System.Globalization;

namespace Scenario.Receiver.Testing;

/// <summary>
/// One cancellation query (<c>GET polling/api/Cancelled?catalogTaskDefinitionNamespace=…&amp;taskInstanceId=…</c>)
/// that reached a <see cref="ScenarioStandIn"/>, whatever it was answered: a receiver's poll.
/// </summary>
public sealed class ReceivedCancellationQuery
{
    internal ReceivedCancellationQuery(
        string taskInstanceId,
        string? catalogTaskDefinitionNamespace,
        string? authorization,
        DateTimeOffset receivedAt,
        int answeredStatusCode,
        bool? isCancelled)
    {
        TaskInstanceId = taskInstanceId;
        CatalogTaskDefinitionNamespace = catalogTaskDefinitionNamespace;
        Authorization = authorization;
        ReceivedAt = receivedAt;
        AnsweredStatusCode = answeredStatusCode;
        IsCancelled = isCancelled;
    }

    /// <summary>The <c>taskInstanceId</c> query parameter; empty when the query did not carry one.</summary>
    public string TaskInstanceId { get; }

    /// <summary>
    /// The <c>catalogTaskDefinitionNamespace</c> query parameter: empty when sent empty (a receiver's default),
    /// <see langword="null"/> when not sent at all.
    /// </summary>
    public string? CatalogTaskDefinitionNamespace { get; }

    /// <summary>The <c>Authorization</c> header as received, or <see langword="null"/>.</summary>
    public string? Authorization { get; }

    /// <summary>When the query arrived.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>What the stand-in answered: 200, or 401/403 for the token, 404 while the query is not served, 503 while down.</summary>
    public int AnsweredStatusCode { get; }

    /// <summary>The <c>isCancelled</c> the stand-in answered with a 200; <see langword="null"/> for any other answer.</summary>
    public bool? IsCancelled { get; }

    /// <summary>A one-line summary for assertion messages, e.g. <c>cancellation query for task-1 → 200 isCancelled=false</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        IsCancelled is bool cancelled
            ? string.Create(CultureInfo.InvariantCulture, $"cancellation query for {TaskInstanceId} → {AnsweredStatusCode} isCancelled={(cancelled ? "true" : "false")}")
            : string.Create(CultureInfo.InvariantCulture, $"cancellation query for {TaskInstanceId} → {AnsweredStatusCode}");
}
