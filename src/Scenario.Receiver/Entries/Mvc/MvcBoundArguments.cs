namespace Scenario.Receiver.Entries.Mvc;

/// <summary>MVC's bound arguments, by parameter name; an argument MVC did not bind is absent, and the job uses the parameter's default.</summary>
internal readonly struct MvcBoundArguments(IDictionary<string, object?> actionArguments) : IBoundArguments
{
    public bool TryGet(int index, EntryParameter parameter, out object? value) => actionArguments.TryGetValue(parameter.Name, out value);
}
