namespace Scenario.Receiver.Entries;

/// <summary>The arguments an entry point bound in the request, looked up by parameter (MVC keeps them by name, minimal APIs by position).</summary>
internal interface IBoundArguments
{
    bool TryGet(int index, EntryParameter parameter, out object? value);
}
