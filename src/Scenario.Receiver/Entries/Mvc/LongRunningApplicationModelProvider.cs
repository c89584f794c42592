using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// Gives every <see cref="ScenarioLongRunningAttribute"/> action the long-running filter and the body limit when MVC builds its
/// application model, so the attribute itself stays free of MVC types and means the same on any entry point.
/// </summary>
internal sealed class LongRunningApplicationModelProvider : IApplicationModelProvider
{
    /// <summary>After MVC's own providers (order -1000 and 0), so every action and its attributes are known.</summary>
    public int Order => 100;

    public void OnProvidersExecuting(ApplicationModelProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApplicationModelProviderContext context)
    {
        foreach (var action in context.Result.Controllers.SelectMany(controller => controller.Actions))
        {
            if (action.ActionMethod.GetCustomAttribute<ScenarioLongRunningAttribute>(inherit: true) is not null)
            {
                action.Filters.Add(new LongRunningActionFilterFactory());

                // First of the resource filters: the body limit must be set before anything reads the body.
                action.Filters.Add(new ServiceFilterAttribute(typeof(LongRunningBodyLimitFilter)) { IsReusable = true, Order = int.MinValue });
            }
        }
    }
}
