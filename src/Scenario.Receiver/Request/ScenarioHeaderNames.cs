namespace Scenario.Receiver;

/// <summary>
/// The HTTP headers that X4B Scenario's RestCall task sends with each call.
/// </summary>
public static class ScenarioHeaderNames
{
    /// <summary>The task instance to complete later. Scenario issues GUIDs.</summary>
    public const string TaskInstanceId = "X-Scenario-TaskInstanceId";

    /// <summary>The scenario (workflow) run the task belongs to.</summary>
    public const string WorkflowInstanceId = "X-Scenario-WorkflowInstanceId";

    /// <summary>Where Scenario suggests the status be posted. It comes from the caller, so it is input, not configuration.</summary>
    public const string TaskStatusUrl = "X-Scenario-TaskStatusUrl";
}
