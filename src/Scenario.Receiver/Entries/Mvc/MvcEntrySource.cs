using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// The MVC entry point's long-running actions, from MVC's action descriptors: every action marked
/// <see cref="ScenarioLongRunningAttribute"/>. Each action's parameters are checked, so one that cannot run
/// in a job stops the host at start-up.
/// </summary>
internal sealed class MvcEntrySource : ILongRunningEntrySource
{
    private static readonly Type[] RequestBoundTypes =
    [
        typeof(IFormFile), typeof(IFormFileCollection), typeof(IEnumerable<IFormFile>), typeof(Stream), typeof(PipeReader),
        typeof(HttpContext), typeof(HttpRequest), typeof(HttpResponse), typeof(ClaimsPrincipal),
    ];

    private readonly Lazy<Dictionary<MethodInfo, MvcEntry>> _byMethod;

    public MvcEntrySource(IServiceProvider services)
        => _byMethod = new(() => Build(
            services.GetService<IActionDescriptorCollectionProvider>(),
            services.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions));

    public IEnumerable<ILongRunningEntry> Discover() => _byMethod.Value.Values;

    public bool Handles(Endpoint endpoint) => endpoint.Metadata.GetMetadata<ControllerActionDescriptor>() is not null;

    public MvcEntry? Find(ControllerActionDescriptor descriptor) => _byMethod.Value.GetValueOrDefault(descriptor.MethodInfo);

    private static Dictionary<MethodInfo, MvcEntry> Build(IActionDescriptorCollectionProvider? provider, System.Text.Json.JsonSerializerOptions jsonOptions)
    {
        var byMethod = new Dictionary<MethodInfo, MvcEntry>();
        if (provider is null)
        {
            return byMethod;
        }

        foreach (var descriptor in provider.ActionDescriptors.Items.OfType<ControllerActionDescriptor>())
        {
            var attribute = descriptor.MethodInfo.GetCustomAttribute<ScenarioLongRunningAttribute>(inherit: true);
            if (attribute is null || byMethod.ContainsKey(descriptor.MethodInfo))
            {
                // Several routes on one method give several descriptors: one entry is enough.
                continue;
            }

            var key = $"{descriptor.ControllerName}.{descriptor.MethodInfo.Name}";
            byMethod.Add(descriptor.MethodInfo, new MvcEntry(key, descriptor, LongRunningSettings.From(attribute), ClassifyParameters(key, descriptor), jsonOptions));
        }

        return byMethod;
    }

    private static EntryParameter[] ClassifyParameters(string key, ControllerActionDescriptor descriptor)
    {
        var bindingSources = descriptor.Parameters.ToDictionary(p => p.Name, p => p.BindingInfo?.BindingSource, StringComparer.Ordinal);
        return descriptor.MethodInfo.GetParameters().Select(parameter =>
        {
            var name = parameter.Name!;
            var type = parameter.ParameterType;
            var source = bindingSources.GetValueOrDefault(name);

            if (type == typeof(CancellationToken))
            {
                return new EntryParameter(name, type, ParameterSource.CancellationToken);
            }

            if (parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is { } keyed)
            {
                return new EntryParameter(name, type, ParameterSource.KeyedService, keyed.Key);
            }

            if (source is not null && source.CanAcceptDataFrom(BindingSource.Services))
            {
                return new EntryParameter(name, type, ParameterSource.Service);
            }

            if (RequestBoundTypes.Any(t => t.IsAssignableFrom(type)) || (source is not null && (source == BindingSource.FormFile || source == BindingSource.Special)))
            {
                throw new InvalidOperationException(
                    $"The [ScenarioLongRunning] action {key} ({descriptor.ControllerTypeInfo.FullName}.{descriptor.MethodInfo.Name}) has a parameter '{name}' of type {type.Name} that cannot be carried to a background job: it belongs to the HTTP request, which is over when the job runs. Bind the data into a serializable model instead (for a file: store it and pass a reference).");
            }

            return EntryParameter.Carried(parameter);
        }).ToArray();
    }
}
