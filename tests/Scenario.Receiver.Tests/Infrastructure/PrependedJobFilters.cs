using Hangfire.Common;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// A host's job filters with one more in front, global: a test's probe or fault in the job pipeline, placed through
/// <see cref="ReceiverTestHost"/>'s <c>jobFilters</c> before AddScenarioReceiver wraps the provider.
/// </summary>
internal sealed class PrependedJobFilters(IJobFilterProvider inner, object filter) : IJobFilterProvider
{
    private readonly JobFilter _filter = new(filter, JobFilterScope.Global, order: null);

    public IEnumerable<JobFilter> GetFilters(Job job) => [_filter, .. inner.GetFilters(job)];
}
