namespace Scenario.Receiver.Entries;

/// <summary>One parameter of a long-running endpoint, and where a job gets its value.</summary>
internal sealed record EntryParameter(string Name, Type Type, ParameterSource Source, object? ServiceKey = null, object? DefaultValue = null)
{
    public static EntryParameter Carried(System.Reflection.ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        var defaultValue = parameter.HasDefaultValue ? parameter.DefaultValue : type.IsValueType ? Activator.CreateInstance(type) : null;
        return new EntryParameter(parameter.Name!, type, ParameterSource.Carried, null, defaultValue);
    }
}

/// <summary>Where a job gets a parameter's value.</summary>
internal enum ParameterSource
{
    /// <summary>Bound in the request, carried to the job as JSON.</summary>
    Carried,

    /// <summary>The job's cancellation token (deadline, deletion, shutdown).</summary>
    CancellationToken,

    /// <summary>Resolved from the job's DI scope.</summary>
    Service,

    /// <summary>Resolved from the job's DI scope by key.</summary>
    KeyedService,

    /// <summary>The job's <c>HttpContext</c>, showing the request snapshot.</summary>
    HttpContext,

    /// <summary>The job's <c>HttpRequest</c>, showing the request snapshot.</summary>
    HttpRequest,

    /// <summary>The caller's <c>ClaimsPrincipal</c>, from the request snapshot.</summary>
    User,
}
