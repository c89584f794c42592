using System.Collections.Concurrent;
using Hangfire.Server;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// Fails the first run of each job of <paramref name="jobType"/> before the job method starts, with the exception Hangfire's
/// own culture filter throws when its job-parameter read times out (seen on Hangfire.Redis with a starved thread pool). No
/// real fault reaches that window reliably: the storage must answer the fetch and fail the read just after it, so the
/// failure is placed in the pipeline (<see cref="PrependedJobFilters"/>), where Hangfire's filters run.
/// </summary>
internal sealed class FailFirstRunFilter(Type jobType) : IServerFilter
{
    /// <summary>The jobs whose first run failed.</summary>
    public ConcurrentDictionary<string, bool> Failed { get; } = new();

    public void OnPerforming(PerformingContext context)
    {
        if (context.BackgroundJob.Job?.Type == jobType && Failed.TryAdd(context.BackgroundJob.Id, true))
        {
            throw new InvalidOperationException(
                "Could not get a value of the job parameter `CurrentCulture`. See inner exception for details.",
                new TimeoutException("Timeout performing HGET (5000ms)"));
        }
    }

    public void OnPerformed(PerformedContext context)
    {
    }
}
