using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// The allow-list of actions a job may run, built once from MVC's action descriptors: every action
/// marked <see cref="ScenarioLongRunningAttribute"/>. A job names an entry by key and never a .NET type
/// or method, so job data cannot make the worker load arbitrary code. Building it checks each action's
/// parameters, so an action that cannot run in a job stops the host at start-up.
/// </summary>
internal sealed class LongRunningActionCatalog
{
    private static readonly Type[] RequestBoundTypes =
    [
        typeof(IFormFile), typeof(IFormFileCollection), typeof(IEnumerable<IFormFile>), typeof(Stream), typeof(PipeReader),
        typeof(HttpContext), typeof(HttpRequest), typeof(HttpResponse), typeof(ClaimsPrincipal),
    ];

    private readonly Lazy<Catalog> _catalog;

    public LongRunningActionCatalog(IServiceProvider services)
        => _catalog = new Lazy<Catalog>(() => Build(services.GetService<IActionDescriptorCollectionProvider>()));

    public IReadOnlyCollection<LongRunningAction> Actions => _catalog.Value.ByKey.Values;

    /// <summary>Builds the catalog now: at start-up, so a bad action fails the host, not the first request.</summary>
    public void EnsureBuilt() => _ = _catalog.Value;

    public LongRunningAction? Find(string key) => _catalog.Value.ByKey.GetValueOrDefault(key);

    public LongRunningAction? Find(ControllerActionDescriptor descriptor) => _catalog.Value.ByMethod.GetValueOrDefault(descriptor.MethodInfo);

    private static Catalog Build(IActionDescriptorCollectionProvider? provider)
    {
        var byKey = new Dictionary<string, LongRunningAction>(StringComparer.Ordinal);
        var byMethod = new Dictionary<MethodInfo, LongRunningAction>();
        if (provider is null)
        {
            return new Catalog(byKey, byMethod);
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
            if (byKey.TryGetValue(key, out var clash))
            {
                throw new InvalidOperationException(
                    $"Two [ScenarioLongRunning] actions share the key '{key}': {Describe(clash.Descriptor)} and {Describe(descriptor)}. Rename one of the methods: jobs name actions by controller and method name.");
            }

            var action = new LongRunningAction(key, descriptor, attribute, ClassifyParameters(key, descriptor), ActionInvokerCompiler.Compile(descriptor.MethodInfo));
            byKey.Add(key, action);
            byMethod.Add(descriptor.MethodInfo, action);
        }

        return new Catalog(byKey, byMethod);
    }

    private static ActionParameter[] ClassifyParameters(string key, ControllerActionDescriptor descriptor)
    {
        var bindingSources = descriptor.Parameters.ToDictionary(p => p.Name, p => p.BindingInfo?.BindingSource, StringComparer.Ordinal);
        return descriptor.MethodInfo.GetParameters().Select(parameter =>
        {
            var name = parameter.Name!;
            var type = parameter.ParameterType;
            var source = bindingSources.GetValueOrDefault(name);
            var defaultValue = parameter.HasDefaultValue ? parameter.DefaultValue : type.IsValueType ? Activator.CreateInstance(type) : null;

            if (type == typeof(CancellationToken))
            {
                return new ActionParameter(name, type, ParameterSource.CancellationToken, null, null);
            }

            if (parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is { } keyed)
            {
                return new ActionParameter(name, type, ParameterSource.KeyedService, keyed.Key, null);
            }

            if (source is not null && source.CanAcceptDataFrom(BindingSource.Services))
            {
                return new ActionParameter(name, type, ParameterSource.Service, null, null);
            }

            if (RequestBoundTypes.Any(t => t.IsAssignableFrom(type)) || (source is not null && (source == BindingSource.FormFile || source == BindingSource.Special)))
            {
                throw new InvalidOperationException(
                    $"The [ScenarioLongRunning] action {key} ({Describe(descriptor)}) has a parameter '{name}' of type {type.Name} that cannot be carried to a background job: it belongs to the HTTP request, which is over when the job runs. Bind the data into a serializable model instead (for a file: store it and pass a reference).");
            }

            return new ActionParameter(name, type, ParameterSource.Carried, null, defaultValue);
        }).ToArray();
    }

    private static string Describe(ControllerActionDescriptor descriptor)
        => $"{descriptor.ControllerTypeInfo.FullName}.{descriptor.MethodInfo.Name}";

    private sealed record Catalog(Dictionary<string, LongRunningAction> ByKey, Dictionary<MethodInfo, LongRunningAction> ByMethod);
}
