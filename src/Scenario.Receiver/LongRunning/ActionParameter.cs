namespace Scenario.Receiver.LongRunning;

/// <summary>One parameter of a long-running action, and where the job gets its value.</summary>
internal sealed record ActionParameter(string Name, Type Type, ParameterSource Source, object? ServiceKey, object? DefaultValue);

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
}
