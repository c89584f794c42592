using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// Gives every <see cref="ScenarioLongRunningAttribute"/> action the long-running filter and the body limit when MVC builds its
/// application model. Registered by <c>AddScenarioReceiver</c>; the attribute, a convention MVC applies after every provider,
/// checks that this one ran (<see cref="EnsurePlaced"/>).
/// </summary>
internal sealed class LongRunningApplicationModelProvider : IApplicationModelProvider
{
    /// <summary>After MVC's own providers (order -1000 and 0), so every action and its attributes are known.</summary>
    public int Order => 100;

    /// <summary>
    /// Stops the host (MVC builds its application model in <c>MapControllers()</c>) when <paramref name="action"/> carries
    /// the attribute but not the filter this provider adds: the host never called <c>AddScenarioReceiver</c>, and the
    /// action would run in the request, its Scenario task left RUNNING with no one to report it.
    /// </summary>
    public static void EnsurePlaced(ActionModel action)
    {
        if (!action.Filters.OfType<LongRunningActionFilterFactory>().Any())
        {
            throw ScenarioReceiverMarker.NotAdded(
                $"[ScenarioLongRunning] on the action {action.Controller.ControllerType.Name}.{action.ActionMethod.Name}");
        }
    }

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
