namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// Tests that set the process's thread pool up for real (grow it with blocked work items, hold its threads in blocked
/// storage calls): they run alone, after the parallel collections, so that no other test's work takes the threads they
/// count on, and their blocked threads slow no other test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolGroup
{
    public const string Name = "Thread pool";
}
