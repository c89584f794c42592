using Microsoft.Extensions.Logging;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Request;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Work;

/// <summary>
/// Sends a running task's progress to Scenario as <c>InProgress</c>. Coalesced: at most one post per
/// interval, the latest value wins, and the last value is sent when the work ends. Best effort: a failed
/// post is logged and dropped, and the work never waits for Scenario. Sealed when the work ends (nothing
/// more is taken), then finished by the work job once the outcome is stored: it waits for the last post
/// at most <see cref="ScenarioReportingOptions.InlineAttemptTimeout"/>, then abandons it (cancels it), and
/// says whether a post could still be on its way. Each post begins through <see cref="TaskLifecycle.TryBeginProgressAsync"/>:
/// under the report lock, unless the task is settled (by another path; after the work, the work's own outcome does not
/// count), with a lease in the record that a terminal delivery waits for, so that no progress follows the terminal
/// status on any instance. No record is read for it: the begin is one conditional write.
/// </summary>
internal sealed class ProgressReporter : IScenarioProgressSink, IAsyncDisposable
{
    /// <summary>How long an abandoned post may take to end once cancelled; HttpClient ends a cancelled send at once.</summary>
    private static readonly TimeSpan AbandonSettleTimeout = TimeSpan.FromSeconds(1);

    private readonly string _taskInstanceId;
    private readonly Uri? _statusUrl;
    private readonly ScenarioStatusClient _client;
    private readonly TaskLifecycle _lifecycle;
    private readonly TimeProvider _time;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _flushTimeout;
    private readonly int _maxMessageLength;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _flush = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly Lock _gate = new();
    private (int Percent, string? Message)? _pending;
    private (int Percent, string? Message) _latest;
    private Task _sender = Task.CompletedTask;
    private Task<ProgressFlush>? _finishing;
    private long _lastPostAt = long.MinValue;
    private bool _sending;
    private bool _closed;

    public ProgressReporter(
        string taskInstanceId,
        Uri? statusUrl,
        ScenarioStatusClient client,
        TaskLifecycle lifecycle,
        TimeProvider time,
        ScenarioReportingOptions options,
        ILogger logger,
        int maxMessageLength = ScenarioReceiverOptions.DefaultMaxMessageLength)
    {
        _maxMessageLength = maxMessageLength;
        _taskInstanceId = taskInstanceId;
        _statusUrl = statusUrl;
        _client = client;
        _lifecycle = lifecycle;
        _time = time;
        _requestTimeout = options.RequestTimeout;
        _interval = options.ProgressInterval;
        _flushTimeout = options.InlineAttemptBound;
        _logger = logger;
        if (options.HeartbeatInterval is { } heartbeat)
        {
            _ = HeartbeatAsync(heartbeat);
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

    /// <summary>
    /// The work ended: refuses any further progress and starts sending the last pending value now, without
    /// waiting for it. A task someone else settled meanwhile (a callback, a deadline) gets no last value: its begin
    /// is refused unless the outcome in the record is the work's own.
    /// </summary>
    public ValueTask SealAsync()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return ValueTask.CompletedTask;
            }

            _closed = true;
        }

        _flush.Cancel();
        lock (_gate)
        {
            StartSenderIfIdle();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Seals, then waits for the posts in flight at most <see cref="ScenarioReportingOptions.InlineAttemptTimeout"/>;
    /// a post still unanswered then is cancelled. Never throws; the same answer on every call.
    /// </summary>
    public async Task<ProgressFlush> FinishAsync()
    {
        await SealAsync().ConfigureAwait(false);
        Task<ProgressFlush> finishing;
        lock (_gate)
        {
            finishing = _finishing ??= FinishSealedAsync(_sender);
        }

        return await finishing.ConfigureAwait(false);
    }

    /// <summary>Finishes (<see cref="FinishAsync"/>): the reporter's end on any path of the work job.</summary>
    public async ValueTask DisposeAsync() => await FinishAsync().ConfigureAwait(false);

    private async Task<ProgressFlush> FinishSealedAsync(Task sender)
    {
        if (await EndsWithinAsync(sender, _flushTimeout).ConfigureAwait(false))
        {
            return ProgressFlush.Flushed;
        }

        // Scenario takes the connection and does not answer: the work is not held for it. The post is cancelled,
        // which closes its connection, so it cannot go on being sent beside the terminal status.
        Log.ProgressAbandoned(_logger, _taskInstanceId, _flushTimeout.TotalSeconds);
        await _abandon.CancelAsync().ConfigureAwait(false);
        return await EndsWithinAsync(sender, AbandonSettleTimeout).ConfigureAwait(false) ? ProgressFlush.Abandoned : ProgressFlush.StillSending;
    }

    private async Task<bool> EndsWithinAsync(Task sender, TimeSpan timeout)
    {
        try
        {
            await sender.WaitAsync(timeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
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
                if (_pending is null || _abandon.IsCancellationRequested)
                {
                    _pending = null;
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
            // Settled, not only reported: once a callback, a deadline or Scenario's cancellation decided the task, its
            // progress is moot. Once sealed, an outcome in the record may be this run's own, which waits for this post.
            var until = ProgressLease.Until(_time, _requestTimeout);
            bool sealedNow;
            lock (_gate)
            {
                sealedNow = _closed;
            }

            if (!await _lifecycle.TryBeginProgressAsync(_taskInstanceId, until, afterOwnWork: sealedNow, _abandon.Token).ConfigureAwait(false))
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
            // The interval runs from the send as well as from the attempt: the lease's write before it may take longer one
            // time than the next, and Scenario must not see two posts closer than the interval.
            _lastPostAt = _time.GetTimestamp();
            var result = await _client.PostAsync(statusEvent, _statusUrl, _requestTimeout, _abandon.Token).ConfigureAwait(false);

            // Answered (or failed without reaching Scenario): the terminal status need not wait for it any more. A post
            // abandoned mid-way keeps its lease until it ends: it may still be taken by Scenario.
            await _lifecycle.EndProgressAsync(_taskInstanceId, until, CancellationToken.None).ConfigureAwait(false);
            if (result.Kind != DeliveryResultKind.Delivered)
            {
                Log.ProgressNotDelivered(_logger, _taskInstanceId, result.Reason ?? result.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            // Abandoned when the work job stopped waiting for it (logged there).
        }
#pragma warning disable CA1031 // Progress is best effort: nothing about it may fail the work.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ProgressNotDelivered(_logger, _taskInstanceId, ex.Message);
        }
    }
}
