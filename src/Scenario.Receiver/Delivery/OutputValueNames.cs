namespace Scenario.Receiver.Delivery;

/// <summary>Output names with a meaning to Scenario.</summary>
internal static class OutputValueNames
{
    /// <summary>A RestCall task needs a valid HTTP status code here, as a string.</summary>
    internal const string StatusCode = "statusCode";
}
