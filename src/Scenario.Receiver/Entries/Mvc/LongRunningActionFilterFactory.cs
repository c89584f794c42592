using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>Puts <see cref="LongRunningActionFilter"/> on an action, from DI, in the order the attribute documents.</summary>
internal sealed class LongRunningActionFilterFactory : IFilterFactory, IOrderedFilter
{
    /// <summary>
    /// After every other action filter (<see cref="ScenarioLongRunningAttribute.FilterOrder"/>): their checks
    /// decide before a task is accepted, and none of them runs "around" an action that is not executed in the request.
    /// </summary>
    public int Order => ScenarioLongRunningAttribute.FilterOrder;

    public bool IsReusable => true;

    public IFilterMetadata CreateInstance(IServiceProvider serviceProvider)
        => serviceProvider.GetService<LongRunningActionFilter>()
            ?? throw ScenarioReceiverMarker.NotAdded("[ScenarioLongRunning]");
}
