using System.Globalization;

namespace Scenario.Receiver.Tasks.InMemory;

/// <summary>
/// How the in-memory table keeps the record of a task that has been accepted and nothing more, as most pending tasks
/// are: the accept's facts alone, its time as UTC ticks and its job's id as a number where Hangfire.InMemory made one (it
/// numbers its jobs by default), in about a quarter of a <see cref="TaskRecord"/>'s bytes (whose other fields, mostly
/// nullable times, are all empty then). Any record with more in it is kept as the record itself.
/// A pending task holds its record for as long as it waits (docs/benchmarks.md, "Memory per pending task").
/// </summary>
internal sealed class AcceptedTaskFacts
{
    private readonly string? _workflowInstanceId;
    private readonly string? _jobIdText;
    private readonly long _jobNumber;
    private readonly string? _queue;
    private readonly string? _entryKey;
    private readonly string? _statusUrl;
    private readonly long _acceptedAtUtcTicks;

    private AcceptedTaskFacts(TaskRecord record, long acceptedAtUtcTicks)
    {
        _workflowInstanceId = record.WorkflowInstanceId;
        if (IsNumber(record.JobId, out var number))
        {
            _jobNumber = number;
        }
        else
        {
            _jobIdText = record.JobId;
        }

        _queue = record.Queue;
        _entryKey = record.EntryKey;
        _statusUrl = record.StatusUrl;
        _acceptedAtUtcTicks = acceptedAtUtcTicks;
    }

    /// <summary>
    /// The compact form of <paramref name="record"/>, or null when it holds more than the accept's facts, or an accept
    /// time with an offset (which UTC ticks would lose). Compared as a whole, so a field the record gains later keeps
    /// the record in its full form rather than being dropped here.
    /// </summary>
    public static AcceptedTaskFacts? Of(TaskRecord record)
    {
        // The commonest later writes turned away before anything is allocated; the comparison below decides the rest.
        if (record.AcceptedAt is not { Offset.Ticks: 0 } acceptedAt || record.Outcome is not null || record.DeferredUntil is not null || record.ReportedAt is not null)
        {
            return null;
        }

        var facts = new AcceptedTaskFacts(record, acceptedAt.UtcTicks);
        return facts.ToRecord() == record ? facts : null;
    }

    /// <summary>The record these facts stand for, equal to the one they were made of.</summary>
    public TaskRecord ToRecord() => TaskRecord.Empty with
    {
        WorkflowInstanceId = _workflowInstanceId,
        JobId = _jobIdText ?? _jobNumber.ToString(CultureInfo.InvariantCulture),
        Queue = _queue,
        EntryKey = _entryKey,
        StatusUrl = _statusUrl,
        AcceptedAt = new DateTimeOffset(_acceptedAtUtcTicks, TimeSpan.Zero),
    };

    /// <summary>A job id that is a number written as <see cref="long"/> writes it (no sign, no leading zero), so it reads back the same.</summary>
    private static bool IsNumber(string? jobId, out long number)
    {
        number = 0;
        return jobId is { Length: > 0 and <= 18 } && (jobId.Length == 1 || jobId[0] != '0')
            && long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
