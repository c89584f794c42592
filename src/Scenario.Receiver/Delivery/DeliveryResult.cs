namespace Scenario.Receiver.Delivery;

/// <summary>What became of one post to Scenario.</summary>
internal readonly record struct DeliveryResult(DeliveryResultKind Kind, int StatusCode, string? Reason, TimeSpan? RetryAfter)
{
    /// <summary>
    /// Whether the post went unanswered within its timeout: a transient failure after which Scenario may still
    /// have taken the post (nothing says it did not).
    /// </summary>
    internal bool WentUnanswered { get; private init; }

    internal static DeliveryResult Delivered(int statusCode) => new(DeliveryResultKind.Delivered, statusCode, null, null);

    /// <summary>Worth trying again later: Scenario unreachable, slow, overloaded or failing.</summary>
    internal static DeliveryResult Transient(string reason, TimeSpan? retryAfter) => new(DeliveryResultKind.Transient, 0, reason, retryAfter);

    /// <summary>Transient, with no answer within the post's timeout.</summary>
    internal static DeliveryResult NoAnswer(string reason) => Transient(reason, null) with { WentUnanswered = true };

    /// <summary>Scenario said no (400, 401, 403, 404): trying again changes nothing until someone fixes something.</summary>
    internal static DeliveryResult Refused(int statusCode, string? reasonPhrase) => new(DeliveryResultKind.Refused, statusCode, reasonPhrase, null);
}

/// <summary>The three ways a post can end.</summary>
internal enum DeliveryResultKind
{
    Delivered,
    Transient,
    Refused,
}
