namespace Scenario.Receiver.Testing;

/// <summary>
/// The faults a test asked for on status posts: a queue of counted runs (<c>FailNext</c>) in front of one
/// standing fault (<c>FailAll</c>).
/// </summary>
internal sealed class FaultPlan
{
    private readonly object _gate = new();
    private readonly Queue<FaultRun> _next = new();
    private Fault? _always;

    public static Fault Create(int statusCode, TimeSpan? retryAfter)
    {
        // Only errors: a 2xx "fault" would be an accepted status that is missing from Statuses.
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (retryAfter is TimeSpan delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(retryAfter));
        }

        return new Fault(statusCode, retryAfter);
    }

    public void AddRun(Fault fault, int count)
    {
        lock (_gate)
        {
            _next.Enqueue(new FaultRun(fault, count));
        }
    }

    public void SetAlways(Fault? fault)
    {
        lock (_gate)
        {
            _always = fault;
        }
    }

    /// <summary>The fault for the post at hand, counting it off its run; <see langword="null"/> to let it through.</summary>
    public Fault? Take()
    {
        lock (_gate)
        {
            if (_next.TryPeek(out var run))
            {
                if (--run.Remaining == 0)
                {
                    _next.Dequeue();
                }

                return run.Fault;
            }

            return _always;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _next.Clear();
            _always = null;
        }
    }

    private sealed class FaultRun(Fault fault, int remaining)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}

/// <summary>One injected error answer.</summary>
internal sealed record Fault(int StatusCode, TimeSpan? RetryAfter);
