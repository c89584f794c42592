namespace Scenario.Receiver.Tasks;

/// <summary>The statuses Scenario's TaskStatus API takes.</summary>
internal static class TaskStatusNames
{
    internal const string InProgress = "InProgress";
    internal const string Completed = "Completed";
    internal const string Error = "Error";
}
