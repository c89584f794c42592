using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Scenario.Receiver.Entries.OpenApi;

/// <summary>
/// Registers <see cref="LongRunningApiDescriptionProvider"/>. ApiExplorer is shared by both entry points
/// (its namespace says Mvc, but minimal APIs and Microsoft.AspNetCore.OpenApi describe endpoints through it too).
/// </summary>
internal static class OpenApiDescription
{
    public static void Register(IServiceCollection services)
        => services.TryAddEnumerable(ServiceDescriptor.Transient<IApiDescriptionProvider, LongRunningApiDescriptionProvider>());
}
