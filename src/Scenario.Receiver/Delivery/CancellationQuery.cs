using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// Asks whether Scenario cancelled a task, for every task of this instance. A Scenario without the operation
/// (404, 405) is told once and never asked again by this instance; any other failure is logged and the
/// question asked again at the next interval, so the work is never failed by a question.
/// </summary>
internal sealed class CancellationQuery(IServiceProvider services, IOptions<ScenarioReceiverOptions> options, ILogger<CancellationQuery> logger)
{
    private int _unsupported;

    /// <summary>The interval, or null when the receiver does not ask (switched off, or Scenario has no such operation).</summary>
    public TimeSpan? PollInterval => Volatile.Read(ref _unsupported) == 0 ? options.Value.Cancellation.PollInterval : null;

    /// <summary>True only when Scenario said the task is cancelled.</summary>
    public async Task<bool> IsCancelledAsync(string taskInstanceId, CancellationToken cancellationToken)
    {
        if (PollInterval is null)
        {
            return false;
        }

        // A typed client per question: its handler is the factory's, rotated as HttpClientFactory intends.
        CancellationAnswer answer;
        string? reason;
        try
        {
            var client = services.GetRequiredService<ScenarioCancellationClient>();
            (answer, reason) = await client.AskAsync(taskInstanceId, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A question that fails for any reason must not fail the work: it is asked again.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            (answer, reason) = (CancellationAnswer.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }

        switch (answer)
        {
            case CancellationAnswer.Cancelled:
                Log.CancelledByScenario(logger, taskInstanceId);
                return true;
            case CancellationAnswer.Unsupported:
                if (Interlocked.Exchange(ref _unsupported, 1) == 0)
                {
                    Log.CancellationQueryUnsupported(logger, reason);
                }

                return false;
            case CancellationAnswer.Failed:
                Log.CancellationQueryFailed(logger, taskInstanceId, reason);
                return false;
            default:
                return false;
        }
    }
}
