namespace Scenario.Receiver.Entries;

/// <summary>The settings of one long-running endpoint, from its attribute or its <c>WithScenarioLongRunning(...)</c> call.</summary>
internal sealed record LongRunningSettings(int Retries, int TimeoutSeconds, string? Queue)
{
    public static LongRunningSettings From(ScenarioLongRunningAttribute attribute)
        => new(attribute.Retries, attribute.TimeoutSeconds, attribute.Queue);

    public TimeSpan? Timeout(ScenarioReceiverOptions options)
        => TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : options.DefaultTimeout;
}
