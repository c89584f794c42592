using System.Globalization;
using System.Text;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Every request the stand-in received, in arrival order, with the status or cancellation query it yielded;
/// raises <see cref="Changed"/> at each arrival and each answer.
/// </summary>
internal sealed class RequestLog
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];
    private long _nextSequence;
    private int _pending;

    public ChangeSignal Changed { get; } = new();

    public int PendingCount => Volatile.Read(ref _pending);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public IReadOnlyList<RecordedRequest> Requests => Snapshot(entry => entry.Request);

    public IReadOnlyList<ReceivedTaskStatus> Statuses => Snapshot(entry => entry.Status);

    public IReadOnlyList<ReceivedCancellationQuery> CancellationQueries => Snapshot(entry => entry.CancellationQuery);

    /// <summary>Notes an arrival and returns its place in the arrival order.</summary>
    public long Arrive()
    {
        // Taken on arrival so that the log keeps arrival order even when ResponseDelay makes answers overlap.
        var sequence = Interlocked.Increment(ref _nextSequence);
        Interlocked.Increment(ref _pending);
        Changed.Raise();
        return sequence;
    }

    public void Record(long sequence, RecordedRequest request, StandInDecision? decision)
    {
        lock (_gate)
        {
            // Almost always an append; only requests that overlapped under ResponseDelay walk back.
            var index = _entries.Count;
            while (index > 0 && _entries[index - 1].Sequence > sequence)
            {
                index--;
            }

            _entries.Insert(index, new Entry(sequence, request, decision?.AcceptedStatus, decision?.CancellationQuery));
            Interlocked.Decrement(ref _pending);
        }

        Changed.Raise();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>A timeout message that lists every request so far, with the reason of each refusal.</summary>
    public string DescribeTimeout(string expectation, TimeSpan timeout)
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = [.. _entries];
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Timed out after {timeout.TotalSeconds:0.###} s waiting for {expectation}.");
        if (entries.Length == 0)
        {
            return text.Append(" The Scenario stand-in received no request.").ToString();
        }

        var accepted = entries.Count(entry => entry.Status is not null);
        text.Append(CultureInfo.InvariantCulture, $" The Scenario stand-in received {entries.Length} request(s) and accepted {accepted} status(es):");
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {i + 1}. {entry.Request}");
            if (entry.Status is not null)
            {
                text.Append(": ").Append(entry.Status);
            }
            else if (entry.Request.ResponseBody.Length > 0)
            {
                text.Append(": ").Append(entry.Request.ResponseBody);
            }
        }

        return text.ToString();
    }

    private T[] Snapshot<T>(Func<Entry, T?> select)
        where T : class
    {
        lock (_gate)
        {
            return _entries.Select(select).OfType<T>().ToArray();
        }
    }

    private sealed record Entry(long Sequence, RecordedRequest Request, ReceivedTaskStatus? Status, ReceivedCancellationQuery? CancellationQuery);
}
