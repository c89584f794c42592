namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>A minimal-API endpoint's bound arguments, by position: one per handler parameter, all bound before any filter runs.</summary>
internal readonly struct EndpointFilterArguments(IList<object?> arguments) : IBoundArguments
{
    public bool TryGet(int index, EntryParameter parameter, out object? value)
    {
        value = arguments[index];
        return true;
    }
}
