namespace Scenario.Receiver;

/// <summary>Registered by <c>AddScenarioReceiver</c>; lets <c>UseScenarioTaskContext</c> tell whether it was called.</summary>
internal sealed class ScenarioReceiverMarker;
