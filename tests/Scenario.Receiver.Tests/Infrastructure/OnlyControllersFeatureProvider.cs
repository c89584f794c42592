using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>Gives a test host exactly the controllers it names, so one host's deliberately broken controller does not break another.</summary>
internal sealed class OnlyControllersFeatureProvider(IReadOnlyCollection<Type> controllers) : IApplicationFeatureProvider<ControllerFeature>
{
    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        feature.Controllers.Clear();
        foreach (var controller in controllers)
        {
            feature.Controllers.Add(controller.GetTypeInfo());
        }
    }
}
