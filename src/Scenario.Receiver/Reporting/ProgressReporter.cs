using Microsoft.Extensions.Logging;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Reporting;

/// <summary>
/// Sends a running task's progress to Scenario as <c>InProgress</c>. Coalesced: at most one post per
/// interval, the latest value wins, and the last value is flushed when the work ends. Best effort: a
/// failed post is logged and dropped, and the work never waits for Scenario. Closed before the outcome
/// is stored, so no progress can follow the terminal status.
/// </summary>
internal sealed class ProgressReporter : IScenarioProgressSink, IAsyncDisposable
{
    private readonly string _taskInstanceId;
    private readonly Uri? _statusUrl;
    private readonly ScenarioStatusClient _client;
    private readonly ITaskStore _records;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly int _maxMessageLength;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _flush = new();
    private readonly Lock _gate = new();
    private (int Percent, string? Message)? _pending;
    private (int Percent, string? Message) _latest;
    private Task _sender = Task.CompletedTask;
    private Task _heartbeat = Task.CompletedTask;
    private long _lastPostAt = long.MinValue;
    private bool _sending;
    private bool _closed;

    public ProgressReporter(
        string taskInstanceId,
        Uri? statusUrl,
        ScenarioStatusClient client,
        ITaskStore records,
        TimeProvider time,
        ScenarioReportingOptions options,
        ILogger logger,
        int maxMessageLength = ScenarioReceiverOptions.DefaultMaxMessageLength)
    {
        _maxMessageLength = maxMessageLength;
        _taskInstanceId = taskInstanceId;
        _statusUrl = statusUrl;
        _client = client;
        _records = records;
        _time = time;
        _interval = options.ProgressInterval;
        _logger = logger;
        if (options.HeartbeatInterval is { } heartbeat)
        {
            _heartbeat = HeartbeatAsync(heartbeat);
        }
    }

    /// <summary>The percentage last reported, so a status about the work (a failed attempt) keeps it.</summary>
    public int LatestPercent
    {
        get
        {
            lock (_gate)
            {
                return _latest.Percent;
            }
        }
    }

    public Task ReportAsync(int percent, string? message, CancellationToken cancellationToken)
    {
        if (message is not null && message.Length > _maxMessageLength)
        {
            // Cut like every other message, so a runaway progress text cannot bloat every post.
            message = string.Concat(message.AsSpan(0, _maxMessageLength - 1), "…");
        }

        lock (_gate)
        {
            if (_closed)
            {
                return Task.CompletedTask;
            }

            _pending = _latest = (percent, message);
            StartSenderIfIdle();
        }

        return Task.CompletedTask;
    }

    /// <summary>Refuses any further progress, sends the last pending value and waits for posts in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await _flush.CancelAsync().ConfigureAwait(false);
        // The heartbeat first: a beat that fired as the work ended must not start a sender after the one awaited below.
        await _heartbeat.ConfigureAwait(false);
        Task sender;
        lock (_gate)
        {
            // Closed before the final flush, so that nothing can be queued behind it: the outcome is stored
            // (and the terminal status posted) only after this returns.
            _closed = true;
            StartSenderIfIdle();
            sender = _sender;
        }

        await sender.ConfigureAwait(false);
        _flush.Dispose();
    }

    /// <summary>Under the gate. The flag, not the task's completion, says whether a sender will still look at the pending value.</summary>
    private void StartSenderIfIdle()
    {
        if (!_sending && _pending is not null)
        {
            _sending = true;
            _sender = SendPendingAsync();
        }
    }

    private async Task SendPendingAsync()
    {
        // Off the caller's thread: ReportProgressAsync returns at once, whatever Scenario does.
        await Task.Yield();
        while (true)
        {
            var wait = _interval - _time.GetElapsedTime(_lastPostAt == long.MinValue ? 0 : _lastPostAt);
            if (_lastPostAt != long.MinValue && wait > TimeSpan.Zero && !_flush.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(wait, _time, _flush.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The work ended: send the final value now rather than lose it to the throttle.
                }
            }

            (int Percent, string? Message) next;
            lock (_gate)
            {
                if (_pending is null)
                {
                    // Cleared under the gate: a value reported from now on starts a new sender, none is stranded.
                    _sending = false;
                    return;
                }

                next = _pending.Value;
                _pending = null;
            }

            _lastPostAt = _time.GetTimestamp();
            await PostAsync(next.Percent, next.Message).ConfigureAwait(false);
        }
    }

    private async Task HeartbeatAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_flush.Token).ConfigureAwait(false))
            {
                (int Percent, string? Message) latest;
                lock (_gate)
                {
                    latest = _latest;
                }

                await ReportAsync(latest.Percent, latest.Message, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The work ended.
        }
    }

    private async Task PostAsync(int percent, string? message)
    {
        try
        {
            // Settled, not only reported: once a callback, a deadline or Scenario's cancellation decided the task, its progress is moot.
            if (_records.Find(_taskInstanceId) is { IsSettled: true })
            {
                return;
            }

            var statusEvent = new TaskStatusEvent
            {
                TaskInstanceId = _taskInstanceId,
                Status = TaskStatusNames.InProgress,
                ProgressPercentage = percent,
                Message = message,
            };
            var result = await _client.PostAsync(statusEvent, _statusUrl, CancellationToken.None).ConfigureAwait(false);
            if (result.Kind != DeliveryResultKind.Delivered)
            {
                Log.ProgressNotDelivered(_logger, _taskInstanceId, result.Reason ?? result.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
#pragma warning disable CA1031 // Progress is best effort: nothing about it may fail the work.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ProgressNotDelivered(_logger, _taskInstanceId, ex.Message);
        }
    }
}
