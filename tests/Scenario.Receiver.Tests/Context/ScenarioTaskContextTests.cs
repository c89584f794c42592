namespace Scenario.Receiver.Tests.Context;

/// <summary><see cref="ScenarioTaskContext.RequireTaskInstanceId"/>: the id where a task is known, a clear failure where none is.</summary>
public sealed class ScenarioTaskContextTests
{
    [Fact]
    public void RequireTaskInstanceId_InATask_IsItsId()
    {
        var task = new ScenarioTaskContext();
        task.Capture("364e21c2-25bf-497d-9583-3d359e7cbf91", "workflow-1", taskStatusUrl: null);

        Assert.Equal("364e21c2-25bf-497d-9583-3d359e7cbf91", task.RequireTaskInstanceId());
    }

    [Fact]
    public void RequireTaskInstanceId_OutsideATask_ThrowsSayingWhereTheIdIsKnown()
    {
        var task = new ScenarioTaskContext();

        var thrown = Assert.Throws<InvalidOperationException>(task.RequireTaskInstanceId);

        Assert.Equal(
            "No Scenario task here: ScenarioTaskContext.TaskInstanceId is known only in the work of a long-running endpoint ([ScenarioLongRunning] or WithScenarioLongRunning()) called with X-Scenario-TaskInstanceId. "
            + "A call without that header runs inline only when Scenario:RunInlineWithoutTaskInstanceId is true; where both can happen, check IsScenarioTask first.",
            thrown.Message);
    }
}
