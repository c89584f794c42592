using System.Globalization;
using System.Net;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Reads what a receiver knows of a task from its task status endpoint (<c>app.MapScenarioTaskStatus()</c>,
/// <c>GET /scenario/tasks/{taskInstanceId}</c>), and awaits a state Scenario cannot see: a task that deferred itself
/// (<see cref="WaitForDeferralAsync"/>) is silent towards Scenario until it is completed, so the stand-in has nothing to await.
/// </summary>
/// <remarks>
/// Works with any <see cref="HttpClient"/> that reaches the receiver: a <c>WebApplicationFactory</c>'s
/// <c>CreateClient()</c>, a <c>TestServer</c>'s, or one that talks to a real server. The endpoint raises no event,
/// so the waits ask it again every <see cref="PollInterval"/> until the condition holds or the timeout passes.
/// </remarks>
public sealed class TaskStatusEndpointClient
{
    /// <summary>The route prefix <c>MapScenarioTaskStatus()</c> uses by default: <c>/scenario/tasks</c>.</summary>
    public const string DefaultPrefix = "/scenario/tasks";

    /// <summary>How often the waits ask the endpoint again: every 25 ms.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private readonly HttpClient _httpClient;
    private readonly string _prefix;

    /// <summary>Creates a reader that uses <paramref name="httpClient"/>; the client is not disposed by it.</summary>
    /// <param name="httpClient">The client; the endpoint resolves against its <see cref="HttpClient.BaseAddress"/>.</param>
    /// <param name="prefix">The prefix given to <c>MapScenarioTaskStatus(prefix)</c>; default <see cref="DefaultPrefix"/>.</param>
    public TaskStatusEndpointClient(HttpClient httpClient, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        _httpClient = httpClient;
        _prefix = prefix.TrimEnd('/');
    }

    /// <summary>Asks the endpoint once.</summary>
    /// <param name="taskInstanceId">The task instance id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>What the receiver knows of the task; <see langword="null"/> when it answers 404 (a task it never accepted).</returns>
    /// <exception cref="HttpRequestException">The endpoint answered anything else than 200 or 404 (400 for an id that is not a GUID, 503 while the storage cannot be read).</exception>
    public async Task<ReceiverTaskView?> GetAsync(string taskInstanceId, CancellationToken cancellationToken = default)
    {
        var (view, failure) = await AskAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        return failure switch
        {
            null => view,
            { StatusCode: HttpStatusCode.NotFound } => null,
            _ => throw failure,
        };
    }

    /// <summary>
    /// Waits until the receiver shows the task deferred (<see cref="ReceiverTaskView.IsDeferred"/>): its work returned
    /// <c>ScenarioResults.Deferred</c> and the deferral is stored, so a callback through <c>IScenarioTaskCompletion</c>
    /// now decides it.
    /// </summary>
    /// <param name="taskInstanceId">The task instance id.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first answer that shows the task deferred.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message holds the endpoint's last answer.</exception>
    public Task<ReceiverTaskView> WaitForDeferralAsync(string taskInstanceId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitUntilAsync(taskInstanceId, view => view.IsDeferred, timeout, cancellationToken);

    /// <summary>
    /// Waits until the endpoint's answer for the task satisfies <paramref name="predicate"/>, e.g.
    /// <c>view =&gt; view.IsCancelledByScenario</c> or <c>view =&gt; view.ReportedStatus is not null</c>. A 404 (the task not
    /// accepted yet) and a 503 (the storage unreachable for a moment) are waited out like an answer that does not satisfy it.
    /// </summary>
    /// <param name="taskInstanceId">The task instance id.</param>
    /// <param name="predicate">The condition on the endpoint's answer.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first answer that satisfies the predicate.</returns>
    /// <exception cref="TimeoutException">The timeout passed; the message holds the endpoint's last answer.</exception>
    /// <exception cref="HttpRequestException">The endpoint answered a status other than 200, 404 or 503, e.g. 400 for an id that is not a GUID.</exception>
    public async Task<ReceiverTaskView> WaitUntilAsync(
        string taskInstanceId,
        Func<ReceiverTaskView, bool> predicate,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive, zero, or Timeout.InfiniteTimeSpan.");
        }

        using var deadline = new CancellationTokenSource(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var lastAnswer = "no answer yet";
        try
        {
            while (true)
            {
                var (view, failure) = await AskAsync(taskInstanceId, stop.Token).ConfigureAwait(false);
                if (view is not null && predicate(view))
                {
                    return view;
                }

                if (failure is not null && failure.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable))
                {
                    throw failure;
                }

                lastAnswer = view?.RawBody ?? failure!.Message;
                await Task.Delay(PollInterval, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"Timed out after {timeout} waiting for task {taskInstanceId} at {_prefix}/{taskInstanceId} to satisfy the condition; its last answer: {lastAnswer}"));
        }
    }

    /// <returns>The view on a 200; else the failure, 404 included, as an exception to throw or to wait out.</returns>
    private async Task<(ReceiverTaskView? View, HttpRequestException? Failure)> AskAsync(string taskInstanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskInstanceId);
        using var response = await _httpClient
            .GetAsync(new Uri($"{_prefix}/{Uri.EscapeDataString(taskInstanceId)}", UriKind.RelativeOrAbsolute), cancellationToken)
            .ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, new HttpRequestException($"The task status endpoint answered 404 for task {taskInstanceId}: {body}", null, response.StatusCode));
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (null, new HttpRequestException(
                string.Create(CultureInfo.InvariantCulture, $"The task status endpoint answered {(int)response.StatusCode} for task {taskInstanceId}: {body}"),
                null,
                response.StatusCode));
        }

        return (ReceiverTaskView.Parse(body), null);
    }
}
