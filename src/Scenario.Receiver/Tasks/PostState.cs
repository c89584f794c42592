namespace Scenario.Receiver.Tasks;

/// <summary>Where a report lock's holder is with its terminal post: what the lock leaves in the record when it is returned.</summary>
internal enum PostState
{
    /// <summary>No post under this lock, or its answer is recorded already.</summary>
    None,

    /// <summary>Begun, no answer yet: returned now, the lock leaves the post marked unfinished.</summary>
    InFlight,

    /// <summary>Answered and not recorded as delivered: the lock clears the mark when it is returned.</summary>
    Answered,
}
