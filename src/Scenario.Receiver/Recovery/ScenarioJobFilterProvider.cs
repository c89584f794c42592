using Hangfire.Common;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Recovery;

/// <summary>
/// The host's <see cref="IJobFilterProvider"/>: the one it had (Hangfire's default, or the application's own), plus the
/// receiver's filters that need the host's services, built once with them (<see cref="ReportWhenDeletedFilter"/> on the
/// work job, <see cref="SweepWhenJobEndsFilter"/> on the work and report jobs). Hangfire.AspNetCore takes the filter provider from the services for its server, its job clients and the
/// dashboard's, so every state change of this host's jobs sees these filters, and no host sees another's.
/// </summary>
internal sealed class ScenarioJobFilterProvider : IJobFilterProvider
{
    private readonly IJobFilterProvider _inner;
    private readonly JobFilter _reportWhenDeleted;
    private readonly JobFilter _sweepWhenEnded;

    public ScenarioJobFilterProvider(IJobFilterProvider inner, Lazy<TaskLifecycle> lifecycle)
    {
        _inner = inner;
        _reportWhenDeleted = new JobFilter(new ReportWhenDeletedFilter(lifecycle), JobFilterScope.Method, order: null);
        _sweepWhenEnded = new JobFilter(new SweepWhenJobEndsFilter(lifecycle), JobFilterScope.Method, order: null);
    }

    public IEnumerable<JobFilter> GetFilters(Job job)
    {
        foreach (var filter in _inner.GetFilters(job))
        {
            yield return filter;
        }

        if (job?.Type == typeof(ScenarioWorkJob))
        {
            yield return _reportWhenDeleted;
        }

        if (job?.Type == typeof(ScenarioWorkJob) || job?.Type == typeof(ScenarioReportJob))
        {
            yield return _sweepWhenEnded;
        }
    }

    /// <summary>Whether <paramref name="provider"/> (the host's, as its services give it) hands the work job the receiver's filters.</summary>
    internal static bool Serves(IJobFilterProvider provider)
        => provider.GetFilters(Job.FromExpression<ScenarioWorkJob>(work => work.RunAsync(string.Empty, string.Empty, string.Empty, null, CancellationToken.None)))
            .Any(filter => filter.Instance is ReportWhenDeletedFilter);
}
