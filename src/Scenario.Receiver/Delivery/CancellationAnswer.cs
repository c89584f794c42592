namespace Scenario.Receiver.Delivery;

/// <summary>What Scenario's cancellation query said of one task.</summary>
internal enum CancellationAnswer
{
    /// <summary>200 <c>{"isCancelled": false}</c>: carry on.</summary>
    NotCancelled,

    /// <summary>200 <c>{"isCancelled": true}</c>: Scenario has ended the task.</summary>
    Cancelled,

    /// <summary>404 or 405: this Scenario has no such operation; stop asking.</summary>
    Unsupported,

    /// <summary>401/403, another answer, or no answer: carry on and ask again later.</summary>
    Failed,
}
