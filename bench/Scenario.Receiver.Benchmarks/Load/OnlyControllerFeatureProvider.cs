using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>Gives each host exactly one of the variant controllers, all routed at POST /work.</summary>
internal sealed class OnlyControllerFeatureProvider(Type controller) : IApplicationFeatureProvider<ControllerFeature>
{
    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        feature.Controllers.Clear();
        feature.Controllers.Add(controller.GetTypeInfo());
    }
}
