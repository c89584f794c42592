using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace Scenario.Receiver.Testing;

/// <summary>
/// An in-process stand-in for X4B Scenario's TaskStatus API (and the part of its polling API that answers
/// cancellation queries), served by Kestrel on 127.0.0.1. It checks each status the way Scenario does,
/// records every request, can be told to fail, and lets a test await the statuses it expects.
/// </summary>
/// <remarks>
/// Point the receiver's Scenario base URL at <see cref="BaseUrl"/> and its token at <see cref="ApiKey"/>.
/// Served: <c>POST taskstatus/api/task-statuses</c>, <c>GET taskstatus/api/ServiceStatus</c>,
/// <c>GET polling/api/ServiceStatus</c> and <c>GET polling/api/task-instances/{id}/cancellation</c>;
/// anything else is answered with 404 and recorded.
/// </remarks>
public sealed class ScenarioStandIn : IAsyncDisposable
{
    // Generous enough for Kestrel to close its connections, short enough that a stuck request cannot hold a test run.
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly Queue<FaultRun> _nextFaults = new();
    private readonly HashSet<string> _cancelledTasks = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _apiKeyBytes;
    private readonly Action<ReceivedTaskStatus>? _onStatusReceived;

    private WebApplication? _app;
    private TaskCompletionSource _changed = NewSignal();
    private Fault? _failAll;
    private long _nextSequence;
    private int _pendingRequests;
    private long _responseDelayTicks;
    private volatile bool _isDown;
    private int _disposed;

    private ScenarioStandIn(string apiKey, Action<ReceivedTaskStatus>? onStatusReceived)
    {
        ApiKey = apiKey;
        _apiKeyBytes = Encoding.UTF8.GetBytes(apiKey);
        _onStatusReceived = onStatusReceived;
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
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _entries.Select(entry => entry.Request).ToArray();
            }
        }
    }

    /// <summary>A snapshot of the statuses the stand-in accepted (answered with 204), in arrival order.</summary>
    public IReadOnlyList<ReceivedTaskStatus> Statuses
    {
        get
        {
            lock (_gate)
            {
                return AcceptedStatuses();
            }
        }
    }

    /// <summary>How many requests the stand-in received so far, on any path.</summary>
    public int RequestCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// How many requests arrived and are not answered yet, typically held by <see cref="ResponseDelay"/>.
    /// An arrival wakes the <c>WaitFor…</c> methods, so <c>WaitForRequestsAsync(_ =&gt; standIn.PendingRequestCount &gt; 0, …)</c>
    /// awaits a sender that is hanging on the stand-in.
    /// </summary>
    public int PendingRequestCount => Volatile.Read(ref _pendingRequests);

    /// <summary>
    /// A delay before answering each request, on any path, to simulate a slow Scenario; <see cref="TimeSpan.Zero"/> by default.
    /// A sender that gives up during the delay is recorded with <see cref="RecordedRequest.ClientClosedRequestStatusCode"/>
    /// and its status is not accepted: Scenario never got to it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _responseDelayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _responseDelayTicks, value.Ticks);
        }
    }

    /// <summary>
    /// Simulates Scenario being down: while <see langword="true"/>, every Scenario endpoint, ServiceStatus included,
    /// answers 503. <see langword="false"/> by default.
    /// </summary>
    public bool IsDown
    {
        get => _isDown;
        set => _isDown = value;
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
        Fault fault = CreateFault(statusCode, retryAfter);
        if (count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _nextFaults.Enqueue(new FaultRun(fault, count));
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
        Fault? fault = statusCode is int code ? CreateFault(code, retryAfter) : null;
        lock (_gate)
        {
            _failAll = fault;
        }
    }

    /// <summary>
    /// Marks a task instance as cancelled by Scenario: from now on
    /// <c>GET {BaseUrl}polling/api/task-instances/{id}/cancellation</c> answers <c>{"isCancelled":true}</c> for it.
    /// Statuses posted for it are still accepted and recorded, so a test can assert that none were sent.
    /// </summary>
    /// <param name="taskInstanceId">The task instance id, compared exactly.</param>
    public void CancelTask(string taskInstanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskInstanceId);
        lock (_gate)
        {
            _cancelledTasks.Add(taskInstanceId);
        }
    }

    /// <summary>
    /// Forgets the recorded requests and statuses, the queued and permanent faults and the cancelled tasks,
    /// and brings the stand-in back up with no delay: for a stand-in shared by several tests.
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            _entries.Clear();
            _nextFaults.Clear();
            _failAll = null;
            _cancelledTasks.Clear();
        }

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
        IReadOnlyList<ReceivedTaskStatus> statuses = await WaitAsync(
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
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() =>
        // Asynchronous continuations: waiters must not run their predicates on the request thread, inside Record.
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool IsTerminalFor(ReceivedTaskStatus status, string taskInstanceId) =>
        status.IsTerminal && status.TaskInstanceId == taskInstanceId;

    private static Fault CreateFault(int statusCode, TimeSpan? retryAfter)
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

    private static Dictionary<string, string> CopyHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in headers)
        {
#pragma warning disable CA1308 // HTTP/2 spells header names in lower case; the recorded names follow it.
            copy[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value.ToArray());
#pragma warning restore CA1308
        }

        return copy;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StartServerAsync(int port, CancellationToken cancellationToken)
    {
        // The empty builder reads no appsettings, environment variables or command line: a test's ASPNETCORE_URLS
        // must not move the stand-in, and it has nothing to log.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);

        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);

        IServerAddressesFeature addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        BaseUrl = new Uri(addresses.Addresses.First().TrimEnd('/') + "/");
    }

    private async Task HandleAsync(HttpContext context)
    {
        // Taken on arrival so that Requests keeps arrival order even when ResponseDelay makes answers overlap.
        long sequence = Interlocked.Increment(ref _nextSequence);
        DateTimeOffset receivedAt = DateTimeOffset.UtcNow;
        Interlocked.Increment(ref _pendingRequests);
        Signal();
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? string.Empty;
        Dictionary<string, string> headers = CopyHeaders(request.Headers);
        string body = string.Empty;

        using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            body = await ReadBodyAsync(request, abandoned.Token).ConfigureAwait(false);
            TimeSpan delay = ResponseDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, abandoned.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            Record(sequence, new RecordedRequest(receivedAt, request.Method, path, headers, body, RecordedRequest.ClientClosedRequestStatusCode, string.Empty), null);
            context.Abort();
            return;
        }

        StandInAnswer answer = Decide(request.Method, path, headers, body, receivedAt, out ReceivedTaskStatus? accepted);
        Record(sequence, new RecordedRequest(receivedAt, request.Method, path, headers, body, answer.StatusCode, answer.Body), accepted);
        await answer.WriteAsync(context.Response, abandoned.Token).ConfigureAwait(false);
    }

    private StandInAnswer Decide(
        string method,
        string path,
        Dictionary<string, string> headers,
        string body,
        DateTimeOffset receivedAt,
        out ReceivedTaskStatus? accepted)
    {
        accepted = null;
        if (ScenarioApiPaths.Matches(path, ScenarioApiPaths.TaskStatuses))
        {
            return HttpMethods.IsPost(method)
                ? DecideStatusPost(headers, body, receivedAt, out accepted)
                : StandInAnswer.MethodNotAllowed(HttpMethods.Post, method, path);
        }

        if (ScenarioApiPaths.Matches(path, ScenarioApiPaths.TaskStatusServiceStatus)
            || ScenarioApiPaths.Matches(path, ScenarioApiPaths.PollingServiceStatus))
        {
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                return StandInAnswer.MethodNotAllowed("GET, HEAD", method, path);
            }

            return IsDown ? ScenarioIsDown() : StandInAnswer.NoContent();
        }

        if (ScenarioApiPaths.TryMatchCancellation(path, out string taskInstanceId))
        {
            if (!HttpMethods.IsGet(method))
            {
                return StandInAnswer.MethodNotAllowed(HttpMethods.Get, method, path);
            }

            if (IsDown)
            {
                return ScenarioIsDown();
            }

            if (Authorize(headers) is StandInAnswer refusal)
            {
                return refusal;
            }

            bool isCancelled;
            lock (_gate)
            {
                isCancelled = _cancelledTasks.Contains(taskInstanceId);
            }

            return StandInAnswer.Json(StatusCodes.Status200OK, isCancelled ? """{"isCancelled":true}""" : """{"isCancelled":false}""");
        }

        return StandInAnswer.Problem(
            StatusCodes.Status404NotFound,
            $"The Scenario stand-in does not serve {path}; it serves {ScenarioApiPaths.Served}.");
    }

    private StandInAnswer DecideStatusPost(
        Dictionary<string, string> headers,
        string body,
        DateTimeOffset receivedAt,
        out ReceivedTaskStatus? accepted)
    {
        accepted = null;
        if (IsDown)
        {
            return ScenarioIsDown();
        }

        // Injected faults come before any check: a real outage does not look at the request either.
        if (TakeFault() is Fault fault)
        {
            return StandInAnswer.Problem(
                fault.StatusCode,
                $"Injected by the Scenario stand-in ({nameof(FailNext)} or {nameof(FailAll)}).",
                fault.RetryAfter);
        }

        if (Authorize(headers) is StandInAnswer refusal)
        {
            return refusal;
        }

        string? contentType = headers.GetValueOrDefault(HeaderNames.ContentType);
        if (!IsJson(contentType))
        {
            return StandInAnswer.Problem(
                StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type must be application/json; got {(contentType is null ? "none" : $"'{contentType}'")}.");
        }

        var facts = new RequestFacts(
            headers.GetValueOrDefault(HeaderNames.Authorization),
            contentType,
            headers.GetValueOrDefault(HeaderNames.Accept),
            receivedAt);
        if (!TaskStatusEventParser.TryParse(body, facts, out ReceivedTaskStatus? status, out string? error))
        {
            return StandInAnswer.Problem(StatusCodes.Status400BadRequest, error!);
        }

        if (_onStatusReceived is not null)
        {
            try
            {
                _onStatusReceived(status!);
            }
            catch (Exception exception)
            {
                // Answered, not thrown: Kestrel would swallow it, and the test would only see a missing status.
                return StandInAnswer.Problem(
                    StatusCodes.Status500InternalServerError,
                    $"{nameof(ScenarioStandInOptions.OnStatusReceived)} threw {exception.GetType().Name}: {exception.Message}");
            }
        }

        accepted = status;
        return StandInAnswer.NoContent();
    }

    private StandInAnswer? Authorize(Dictionary<string, string> headers)
    {
        string? authorization = headers.GetValueOrDefault(HeaderNames.Authorization);
        const string Expected = "The Authorization header must be 'bearer {token}'";
        if (authorization is null)
        {
            return StandInAnswer.Unauthorized($"{Expected}; it is missing.");
        }

        if (!AuthenticationHeaderValue.TryParse(authorization, out AuthenticationHeaderValue? parsed)
            || !parsed.Scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(parsed.Parameter))
        {
            // The value is not echoed: it may be a token, and tokens never go into messages.
            return StandInAnswer.Unauthorized($"{Expected}; it has another scheme or no token.");
        }

        byte[] token = Encoding.UTF8.GetBytes(parsed.Parameter.Trim());
        return CryptographicOperations.FixedTimeEquals(token, _apiKeyBytes)
            ? null
            : StandInAnswer.Problem(StatusCodes.Status403Forbidden, "The bearer token is not authorized.");
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static StandInAnswer ScenarioIsDown() =>
        StandInAnswer.Problem(StatusCodes.Status503ServiceUnavailable, $"The Scenario stand-in is down ({nameof(IsDown)} is true).");

    private Fault? TakeFault()
    {
        lock (_gate)
        {
            if (_nextFaults.TryPeek(out FaultRun? run))
            {
                if (--run.Remaining == 0)
                {
                    _nextFaults.Dequeue();
                }

                return run.Fault;
            }

            return _failAll;
        }
    }

    private void Record(long sequence, RecordedRequest request, ReceivedTaskStatus? status)
    {
        lock (_gate)
        {
            // Almost always an append; only requests that overlapped under ResponseDelay walk back.
            int index = _entries.Count;
            while (index > 0 && _entries[index - 1].Sequence > sequence)
            {
                index--;
            }

            _entries.Insert(index, new Entry(sequence, request, status));
            Interlocked.Decrement(ref _pendingRequests);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.SetResult();
    }

    private ReceivedTaskStatus[] AcceptedStatuses() =>
        _entries.Where(entry => entry.Status is not null).Select(entry => entry.Status!).ToArray();

    private async Task<IReadOnlyList<T>> WaitAsync<T>(
        Func<IReadOnlyList<T>> snapshot,
        Func<IReadOnlyList<T>, bool> predicate,
        TimeSpan timeout,
        string expectation,
        CancellationToken cancellationToken)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive, zero, or Timeout.InfiniteTimeSpan.");
        }

        using var deadline = new CancellationTokenSource(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            // The signal is taken before the snapshot: a request recorded in between completes it, so no wake-up is lost.
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            IReadOnlyList<T> current = snapshot();
            if (predicate(current))
            {
                return current;
            }

            try
            {
                await changed.WaitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                current = snapshot();
                if (predicate(current))
                {
                    return current;
                }

                throw new TimeoutException(DescribeTimeout(expectation, timeout));
            }
        }
    }

    private string DescribeTimeout(string expectation, TimeSpan timeout)
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

        int accepted = entries.Count(entry => entry.Status is not null);
        text.Append(CultureInfo.InvariantCulture, $" The Scenario stand-in received {entries.Length} request(s) and accepted {accepted} status(es):");
        for (int i = 0; i < entries.Length; i++)
        {
            Entry entry = entries[i];
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

    private sealed record Entry(long Sequence, RecordedRequest Request, ReceivedTaskStatus? Status);

    private sealed record Fault(int StatusCode, TimeSpan? RetryAfter);

    private sealed class FaultRun(Fault fault, int remaining)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
