using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>Gives each host exactly the controllers named (one of the variants at POST /work; the side-by-side host two).</summary>
internal sealed class OnlyControllerFeatureProvider(params Type[] controllers) : IApplicationFeatureProvider<ControllerFeature>
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
