using System.Globalization;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Delivery;

/// <summary>
/// An outcome as the wire carries it. Here rather than on <see cref="TaskOutcome"/>: the task record keeps the outcome,
/// and only delivery knows the wire model.
/// </summary>
internal static class TaskOutcomeWire
{
    /// <summary>The wire event; <c>statusCode</c> always travels in <c>outputValues</c>, as a string, as RestCall requires.</summary>
    internal static TaskStatusEvent ToStatusEvent(this TaskOutcome outcome, string taskInstanceId)
    {
        var outputs = outcome.OutputValues is null ? new Dictionary<string, string>(1) : new Dictionary<string, string>(outcome.OutputValues);
        outputs[OutputValueNames.StatusCode] = outcome.StatusCode.ToString(CultureInfo.InvariantCulture);
        return new TaskStatusEvent
        {
            TaskInstanceId = taskInstanceId,
            Status = outcome.Status,
            Message = outcome.Message,
            OutputValues = outputs,
        };
    }
}
