namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// A request feature that says whether a long-running endpoint's filter pipeline started. When it did not, and
/// the framework left a bare 400, binding stopped before any filter (a body that is not JSON, or not of the
/// parameter's type), so the 400 is ours to explain; when it did, a filter gave the answer.
/// </summary>
internal sealed class FilterPipelineReached
{
    public bool Reached { get; private set; }

    public void Mark() => Reached = true;
}
