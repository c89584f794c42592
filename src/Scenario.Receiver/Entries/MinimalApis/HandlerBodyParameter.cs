namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// A handler parameter bound from the request body, by its position among the handler's arguments.
/// <paramref name="Required"/> as minimal APIs decide it: not nullable, no default value, empty body not allowed.
/// </summary>
internal sealed record HandlerBodyParameter(int Index, string Name, bool Required);
