using System.Collections.Concurrent;

namespace Scenario.Receiver.Sample.Demo;

/// <summary>
/// The tasks the demo makes fail on purpose (the RestCall that asks the engine to reject its portfolio): their failure
/// is what the demo shows, so <see cref="DemoConsoleFormatter"/> keeps its stack trace off the console.
/// </summary>
public sealed class OnPurposeFailures
{
    private readonly ConcurrentDictionary<string, bool> _taskInstanceIds = new(StringComparer.Ordinal);

    /// <summary>Marks a task instance as one that fails on purpose; called before its RestCall is sent.</summary>
    public void Add(string taskInstanceId) => _taskInstanceIds[taskInstanceId] = true;

    /// <summary>Whether <paramref name="taskInstanceId"/> fails on purpose.</summary>
    public bool Contains(string? taskInstanceId) => taskInstanceId is not null && _taskInstanceIds.ContainsKey(taskInstanceId);
}
