using System.Net;

namespace Scenario.Receiver.Testing;

/// <summary>
/// An in-process stand-in for X4B Scenario's TaskStatus API and the part of its polling API that answers
/// cancellation queries, served by Kestrel on 127.0.0.1. It checks each status the way Scenario does,
/// records every request, can be told to fail, and lets a test await the statuses and polls it expects.
/// </summary>
/// <remarks>
/// Point the receiver's Scenario base URL at <see cref="BaseUrl"/> and its token at <see cref="ApiKey"/>.
/// Served: <c>POST taskstatus/api/task-statuses</c>, <c>GET taskstatus/api/ServiceStatus</c>,
/// <c>GET polling/api/ServiceStatus</c> and
/// <c>GET polling/api/Cancelled?catalogTaskDefinitionNamespace={ns}&amp;taskInstanceId={id}</c>;
/// anything else is answered with 404 and recorded.
/// </remarks>
public sealed class ScenarioStandIn : IAsyncDisposable
{
    // The parts, one job each: the log records and signals, the router answers (with the fault plan, the token
    // check and the cancellation book behind it), the handler reads and records each request, the host serves;
    // this class is the test's API.
    private readonly RequestLog _log = new();
    private readonly FaultPlan _faults = new();
    private readonly CancellationBook _cancellations = new();
    private readonly StandInRouter _router;
    private readonly CancellationTokenSource _stopping = new();
    private readonly StandInRequestHandler _handler;

    private StandInHost? _host;
    private int _disposed;

    private ScenarioStandIn(string apiKey, Action<ReceivedTaskStatus>? onStatusReceived)
    {
        ApiKey = apiKey;
        var token = new BearerTokenCheck(apiKey);
        _router = new StandInRouter(
            new TaskStatusesEndpoint(_faults, token, onStatusReceived),
            new CancelledEndpoint(_cancellations, token));
        _handler = new StandInRequestHandler(_log, _router, _stopping.Token);
    }

    /// <summary>
    /// Scenario's base URL as the stand-in serves it, with a trailing slash, e.g. <c>http://127.0.0.1:43123/</c>.
    /// Statuses go to <c>{BaseUrl}taskstatus/api/task-statuses</c> (<see cref="TaskStatusesUrl"/>).
    /// </summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The full URL a receiver posts statuses to: <c>{BaseUrl}taskstatus/api/task-statuses</c>.</summary>
    public Uri TaskStatusesUrl => new(BaseUrl, ScenarioApiPaths.TaskStatuses.TrimStart('/'));

    /// <summary>The bearer token the stand-in accepts (<see cref="ScenarioStandInOptions.ApiKey"/>).</summary>
    public string ApiKey { get; }

    /// <summary>
    /// A snapshot of every request received, on any path and whatever the answer (faults and refusals included),
    /// in arrival order.
    /// </summary>
    public IReadOnlyList<RecordedRequest> Requests => _log.Requests;

    /// <summary>A snapshot of the statuses the stand-in accepted (answered with 204), in arrival order.</summary>
    public IReadOnlyList<ReceivedTaskStatus> Statuses => _log.Statuses;

    /// <summary>
    /// A snapshot of the cancellation queries received (a receiver's polls of
    /// <c>GET polling/api/Cancelled</c>), whatever they were answered, in arrival order.
    /// </summary>
    public IReadOnlyList<ReceivedCancellationQuery> CancellationQueries => _log.CancellationQueries;

    /// <summary>How many requests the stand-in received so far, on any path.</summary>
    public int RequestCount => _log.Count;

    /// <summary>
    /// How many requests arrived and are not answered yet, typically held by <see cref="ResponseDelay"/>.
    /// An arrival wakes the <c>WaitFor…</c> methods, so <c>WaitForRequestsAsync(_ =&gt; standIn.PendingRequestCount &gt; 0, …)</c>
    /// awaits a sender that is hanging on the stand-in.
    /// </summary>
    public int PendingRequestCount => _log.PendingCount;

    /// <summary>
    /// A delay before answering each request, on any path, to simulate a slow Scenario; <see cref="TimeSpan.Zero"/> by default.
    /// A sender that gives up during the delay is recorded with <see cref="RecordedRequest.ClientClosedRequestStatusCode"/>
    /// and its status is not accepted: Scenario never got to it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ResponseDelay
    {
        get => _handler.ResponseDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _handler.ResponseDelay = value;
        }
    }

    /// <summary>
    /// Simulates Scenario being down: while <see langword="true"/>, every Scenario endpoint, ServiceStatus and the
    /// cancellation query included, answers 503. <see langword="false"/> by default.
    /// </summary>
    public bool IsDown
    {
        get => _router.IsDown;
        set => _router.IsDown = value;
    }

    /// <summary>Starts a stand-in on 127.0.0.1 and returns once it accepts connections.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults (<see cref="ScenarioStandInOptions.DefaultApiKey"/>, a free port).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running stand-in; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">The API key is empty or the port is outside 0..65535.</exception>
    public static async Task<ScenarioStandIn> StartAsync(
        ScenarioStandInOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ScenarioStandInOptions();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException(
                $"{nameof(ScenarioStandInOptions)}.{nameof(ScenarioStandInOptions.ApiKey)} must not be empty: it is the bearer token the stand-in accepts.",
                nameof(options));
        }

        if (options.Port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.Port,
                $"{nameof(ScenarioStandInOptions)}.{nameof(ScenarioStandInOptions.Port)} must be from 0 (any free port) to 65535.");
        }

        var standIn = new ScenarioStandIn(options.ApiKey, options.OnStatusReceived);
        try
        {
            await standIn.StartServerAsync(options.Port, cancellationToken).ConfigureAwait(false);
            return standIn;
        }
        catch
        {
            await standIn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> status posts with <paramref name="statusCode"/> before looking at them,
    /// e.g. 503 or 429 for a transient outage, 401 for a rejected token. They are recorded in <see cref="Requests"/>,
    /// not in <see cref="Statuses"/>. Calls queue up: <c>FailNext(1, 503); FailNext(1, 429)</c> answers 503, then 429.
    /// Takes precedence over <see cref="FailAll"/>; <see cref="IsDown"/> takes precedence over both.
    /// </summary>
    /// <param name="count">How many posts to fail; 0 adds nothing.</param>
    /// <param name="statusCode">The error code to answer, 400 to 599.</param>
    /// <param name="retryAfter">When given, sent as a <c>Retry-After</c> header in whole seconds, rounded up.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public void FailNext(int count, int statusCode, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var fault = FaultPlan.Create(statusCode, retryAfter);
        if (count > 0)
        {
            _faults.AddRun(fault, count);
        }
    }

    /// <summary>
    /// Answers every status post with <paramref name="statusCode"/> until called with <see langword="null"/>:
    /// "Scenario is down" (503) or "the key was revoked" (401, 403). Faults queued with <see cref="FailNext"/> go first.
    /// </summary>
    /// <param name="statusCode">The error code to answer, 400 to 599, or <see langword="null"/> to stop failing.</param>
    /// <param name="retryAfter">When given, sent as a <c>Retry-After</c> header in whole seconds, rounded up.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public void FailAll(int? statusCode, TimeSpan? retryAfter = null)
    {
        _faults.SetAlways(statusCode is int code ? FaultPlan.Create(code, retryAfter) : null);
    }

    /// <summary>
    /// Whether the stand-in serves the cancellation query; <see langword="true"/> by default. While
    /// <see langword="false"/>, <c>GET polling/api/Cancelled</c> answers 404, token or not, like a Scenario without
    /// that operation: a receiver must carry on without cancellation. The queries are still recorded.
    /// </summary>
    public bool ServesCancellationQuery
    {
        get => _cancellations.IsServed;
        set => _cancellations.IsServed = value;
    }

    /// <summary>
    /// Marks a task instance as cancelled by Scenario: from now on
    /// <c>GET {BaseUrl}polling/api/Cancelled?catalogTaskDefinitionNamespace={ns}&amp;taskInstanceId={id}</c>
    /// answers <c>{"isCancelled":true}</c> for it, whatever the namespace.
    /// Statuses posted for it are still accepted and recorded, so a test can assert that none were sent.
    /// </summary>
    /// <param name="taskInstanceId">The task instance id, compared exactly.</param>
    public void CancelTask(string taskInstanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskInstanceId);
        _cancellations.Cancel(taskInstanceId);
    }

    /// <summary>
    /// Forgets the recorded requests, statuses and cancellation queries, the queued and permanent faults and the
    /// cancelled tasks, serves the cancellation query again and brings the stand-in back up with no delay:
    /// for a stand-in shared by several tests.
    /// </summary>
    public void Reset()
    {
        _log.Clear();
        _faults.Clear();
        _cancellations.Clear();
        IsDown = false;
        ResponseDelay = TimeSpan.Zero;
    }

    /// <summary>The accepted statuses of one task instance, in arrival order.</summary>
    /// <param name="taskInstanceId">The task instance id, compared exactly.</param>
    /// <returns>A snapshot; empty when none arrived.</returns>
    public IReadOnlyList<ReceivedTaskStatus> StatusesFor(string taskInstanceId)
    {
        ArgumentNullException.ThrowIfNull(taskInstanceId);
        return Statuses.Where(status => status.TaskInstanceId == taskInstanceId).ToArray();
    }

    /// <summary>The cancellation queries for one task instance, in arrival order.</summary>
    /// <param name="taskInstanceId">The task instance id, compared exactly.</param>
    /// <returns>A snapshot; empty when none arrived.</returns>
    public IReadOnlyList<ReceivedCancellationQuery> CancellationQueriesFor(string taskInstanceId)
    {
        ArgumentNullException.ThrowIfNull(taskInstanceId);
        return CancellationQueries.Where(query => query.TaskInstanceId == taskInstanceId).ToArray();
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> holds for the accepted statuses; re-checked whenever a request
    /// arrives or is answered, never by polling.
    /// </summary>
    /// <param name="predicate">The condition on the snapshot of <see cref="Statuses"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The snapshot that satisfied the predicate.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message lists every request received so far.</exception>
    public Task<IReadOnlyList<ReceivedTaskStatus>> WaitForStatusesAsync(
        Func<IReadOnlyList<ReceivedTaskStatus>, bool> predicate,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return WaitAsync(() => Statuses, predicate, timeout, "task statuses that satisfy the predicate", cancellationToken);
    }

    /// <summary>
    /// Waits until any request, accepted or not, makes <paramref name="predicate"/> hold: to await
    /// refused posts, retries after a fault, or calls to other endpoints.
    /// </summary>
    /// <param name="predicate">The condition on the snapshot of <see cref="Requests"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The snapshot that satisfied the predicate.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message lists every request received so far.</exception>
    public Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(
        Func<IReadOnlyList<RecordedRequest>, bool> predicate,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return WaitAsync(() => Requests, predicate, timeout, "requests that satisfy the predicate", cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> holds for the cancellation queries received: to await a receiver's
    /// polls (<c>queries =&gt; queries.Count(q =&gt; q.TaskInstanceId == id) &gt;= 2</c>).
    /// </summary>
    /// <param name="predicate">The condition on the snapshot of <see cref="CancellationQueries"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The snapshot that satisfied the predicate.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message lists every request received so far.</exception>
    public Task<IReadOnlyList<ReceivedCancellationQuery>> WaitForCancellationQueriesAsync(
        Func<IReadOnlyList<ReceivedCancellationQuery>, bool> predicate,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return WaitAsync(() => CancellationQueries, predicate, timeout, "cancellation queries that satisfy the predicate", cancellationToken);
    }

    /// <summary>
    /// Waits for the first cancellation query of a task instance (a receiver's poll of <c>GET polling/api/Cancelled</c>),
    /// whatever it was answered: received already, or the next to arrive. After <see cref="CancelTask"/>, the poll that
    /// learned it is <c>WaitForCancellationQueriesAsync(q =&gt; q.Any(x =&gt; x.TaskInstanceId == id &amp;&amp; x.IsCancelled == true), …)</c>.
    /// </summary>
    /// <param name="taskInstanceId">The task instance id, compared exactly.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The task's first cancellation query.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message lists every request received so far.</exception>
    public async Task<ReceivedCancellationQuery> WaitForCancellationQueryAsync(
        string taskInstanceId,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskInstanceId);
        var queries = await WaitAsync(
            () => CancellationQueries,
            current => current.Any(query => query.TaskInstanceId == taskInstanceId),
            timeout,
            $"a cancellation query for task instance '{taskInstanceId}'",
            cancellationToken).ConfigureAwait(false);
        return queries.First(query => query.TaskInstanceId == taskInstanceId);
    }

    /// <summary>Waits for the first accepted <c>Completed</c> or <c>Error</c> status of a task instance.</summary>
    /// <param name="taskInstanceId">The task instance id, compared exactly.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The terminal status.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message lists every request received so far.</exception>
    public async Task<ReceivedTaskStatus> WaitForTerminalStatusAsync(
        string taskInstanceId,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskInstanceId);
        var statuses = await WaitAsync(
            () => Statuses,
            current => current.Any(status => IsTerminalFor(status, taskInstanceId)),
            timeout,
            $"a Completed or Error status for task instance '{taskInstanceId}'",
            cancellationToken).ConfigureAwait(false);
        return statuses.First(status => IsTerminalFor(status, taskInstanceId));
    }

    /// <summary>Stops the server. What was recorded stays readable.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Cancelled first so requests sitting in ResponseDelay end now instead of holding the shutdown.
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static bool IsTerminalFor(ReceivedTaskStatus status, string taskInstanceId) =>
        status.IsTerminal && status.TaskInstanceId == taskInstanceId;

    private async Task StartServerAsync(int port, CancellationToken cancellationToken)
    {
        _host = await StandInHost.StartAsync(port, _handler.HandleAsync, cancellationToken).ConfigureAwait(false);
        BaseUrl = _host.BaseUrl;
    }

    private Task<IReadOnlyList<T>> WaitAsync<T>(
        Func<IReadOnlyList<T>> snapshot,
        Func<IReadOnlyList<T>, bool> predicate,
        TimeSpan timeout,
        string expectation,
        CancellationToken cancellationToken) =>
        StandInWait.UntilAsync(_log.Changed, snapshot, predicate, timeout, () => _log.DescribeTimeout(expectation, timeout), cancellationToken);
}
