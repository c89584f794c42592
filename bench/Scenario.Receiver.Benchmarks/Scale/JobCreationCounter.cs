using Hangfire.Client;
using Hangfire.Common;

namespace Scenario.Receiver.Benchmarks.Scale;

/// <summary>
/// Counts every Hangfire job the host creates (its clients' and its server's: work, deadlines, cancellation checks,
/// recurring jobs), by a client filter beside Hangfire's own filter providers, registered for this host only.
/// </summary>
internal sealed class JobCreationCounter(IJobFilterProvider inner) : IJobFilterProvider, IClientFilter
{
    private long _created;

    public long Created => Interlocked.Read(ref _created);

    public IEnumerable<JobFilter> GetFilters(Job job)
        => inner.GetFilters(job).Append(new JobFilter(this, JobFilterScope.Global, order: null));

    public void OnCreating(CreatingContext context)
    {
    }

    public void OnCreated(CreatedContext context)
    {
        if (context.BackgroundJob is not null)
        {
            Interlocked.Increment(ref _created);
        }
    }
}
