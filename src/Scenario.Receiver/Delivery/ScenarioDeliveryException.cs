namespace Scenario.Receiver.Delivery;

/// <summary>
/// A status that could not be delivered and will not be retried automatically. Its message, shown on the
/// failed job in the dashboard, says what to fix; it never contains the API key.
/// </summary>
internal sealed class ScenarioDeliveryException : Exception
{
    public ScenarioDeliveryException(string message)
        : base(message)
    {
    }
}
