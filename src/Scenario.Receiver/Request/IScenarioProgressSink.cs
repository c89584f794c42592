namespace Scenario.Receiver.Request;

/// <summary>Where <see cref="ScenarioTaskContext.ReportProgressAsync"/> sends progress while a job runs.</summary>
internal interface IScenarioProgressSink
{
    Task ReportAsync(int percent, string? message, CancellationToken cancellationToken);
}
