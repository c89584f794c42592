using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>Registers the MVC entry point: its entries, its filter, and the application model provider that places the filter.</summary>
internal static class MvcEntryPoint
{
    public static void Register(IServiceCollection services)
    {
        services.TryAddSingleton<MvcEntrySource>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILongRunningEntrySource, MvcEntrySource>(sp => sp.GetRequiredService<MvcEntrySource>()));
        services.TryAddSingleton<LongRunningActionFilter>();
        services.TryAddSingleton<LongRunningBodyLimitFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IApplicationModelProvider, LongRunningApplicationModelProvider>());
    }
}
