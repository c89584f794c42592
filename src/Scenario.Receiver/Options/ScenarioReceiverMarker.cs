using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver;

/// <summary>
/// Registered by <c>AddScenarioReceiver</c>: lets every entry point that needs the receiver's services tell whether
/// it was called, and fail at start-up with the one message that says how to call it.
/// </summary>
internal sealed class ScenarioReceiverMarker
{
    /// <summary>The failure of <paramref name="entryPoint"/> (e.g. <c>UseScenarioTaskContext()</c>) when <c>AddScenarioReceiver</c> was not called.</summary>
    internal static InvalidOperationException NotAdded(string entryPoint) => new(
        $"{entryPoint} needs the Scenario receiver's services: call builder.Services.{nameof(ScenarioReceiverServiceCollectionExtensions.AddScenarioReceiver)}"
        + $"(builder.Configuration.GetSection(\"{ScenarioReceiverOptions.DefaultSectionName}\")) at start-up.");

    /// <summary>Throws <see cref="NotAdded"/> unless <paramref name="services"/> come from a host that called <c>AddScenarioReceiver</c>.</summary>
    internal static void EnsureAdded(IServiceProvider services, string entryPoint)
    {
        if (services.GetService<ScenarioReceiverMarker>() is null)
        {
            throw NotAdded(entryPoint);
        }
    }
}
