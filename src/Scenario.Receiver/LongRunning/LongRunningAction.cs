using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// An entry of the allow-list of long-running actions: everything a job needs to run the action,
/// prepared once at start-up (the controller factory and a compiled invoker, no reflection per call).
/// </summary>
internal sealed class LongRunningAction
{
    public LongRunningAction(
        string key,
        ControllerActionDescriptor descriptor,
        ScenarioLongRunningAttribute attribute,
        IReadOnlyList<ActionParameter> parameters,
        Func<object, object?[], Task<object?>> invoke)
    {
        Key = key;
        Descriptor = descriptor;
        Attribute = attribute;
        Parameters = parameters;
        InvokeAsync = invoke;
        CreateController = ActivatorUtilities.CreateFactory(descriptor.ControllerTypeInfo.AsType(), Type.EmptyTypes);
    }

    /// <summary>The name jobs carry, e.g. <c>Pricing.Run</c>: controller name and method name.</summary>
    public string Key { get; }

    public ControllerActionDescriptor Descriptor { get; }

    public Type ControllerType => Descriptor.ControllerTypeInfo.AsType();

    public ScenarioLongRunningAttribute Attribute { get; }

    public IReadOnlyList<ActionParameter> Parameters { get; }

    /// <summary>Invokes the action on a controller and awaits it; returns what it returned (null for void and Task).</summary>
    public Func<object, object?[], Task<object?>> InvokeAsync { get; }

    public ObjectFactory CreateController { get; }

    public TimeSpan? Timeout(ScenarioReceiverOptions options)
        => Attribute.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(Attribute.TimeoutSeconds) : options.DefaultTimeout;
}
