using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// A <see cref="ScenarioLongRunningAttribute"/> controller action as the task core sees it, prepared once at
/// start-up: the controller factory and a compiled invoker, so a job pays no reflection per call.
/// </summary>
internal sealed class MvcEntry(
    string key,
    ControllerActionDescriptor descriptor,
    LongRunningSettings settings,
    IReadOnlyList<EntryParameter> parameters,
    JsonSerializerOptions jsonOptions) : ILongRunningEntry
{
    private readonly Func<object, object?[], Task<object?>> _invoke = ActionInvokerCompiler.Compile(descriptor.MethodInfo);
    private readonly ObjectFactory _createController = ActivatorUtilities.CreateFactory(descriptor.ControllerTypeInfo.AsType(), Type.EmptyTypes);

    public string Key { get; } = key;

    public string DisplayName { get; } = $"{descriptor.ControllerTypeInfo.FullName}.{descriptor.MethodInfo.Name}";

    public LongRunningSettings Settings { get; } = settings;

    public IReadOnlyList<EntryParameter> Parameters { get; } = parameters;

    public JsonSerializerOptions JsonOptions { get; } = jsonOptions;

    public ControllerActionDescriptor Descriptor { get; } = descriptor;

    public async Task<EndpointAnswer> InvokeAsync(EntryInvocation invocation)
    {
        var services = invocation.Services;
        var controller = services.GetService(Descriptor.ControllerTypeInfo.AsType()) ?? _createController(services, null);
        try
        {
            if (controller is ControllerBase controllerBase)
            {
                // The job's stand-in request context, so Ok(), Problem(), Url and friends work as in a request.
                controllerBase.ControllerContext = new ControllerContext(new ActionContext(invocation.HttpContext, new RouteData(), Descriptor));
            }

            return MvcAnswer.From(await _invoke(controller, invocation.Arguments).ConfigureAwait(false));
        }
        finally
        {
            switch (controller)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
