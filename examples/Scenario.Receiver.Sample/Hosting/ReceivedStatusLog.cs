using System.Globalization;
using System.Text;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Sample.Hosting;

/// <summary>Writes the statuses the embedded Scenario stand-in receives, in the log and in the demo's output.</summary>
internal static partial class ReceivedStatusLog
{
    /// <summary>The log category of the embedded Scenario.</summary>
    public const string Category = "EmbeddedScenario";

    public static void Write(ILogger? logger, ReceivedTaskStatus status)
    {
        // No logger before the app is built; no status can arrive before then either.
        if (logger is not null)
        {
            StatusReceived(logger, status.Status, status.TaskInstanceId, Details(status));
        }
    }

    /// <summary>One readable line, e.g. <c>Completed   task 364e… statusCode=200 portfolio=EQ-1 price=123.45</c>.</summary>
    public static string Describe(ReceivedTaskStatus status)
        => $"{status.Status,-11} task {status.TaskInstanceId}  {Details(status)}";

    /// <summary>Progress, outputs (statusCode first) and message, as <c>name=value</c> pairs.</summary>
    private static string Details(ReceivedTaskStatus status)
    {
        var text = new StringBuilder();
        if (status.ProgressPercentage is int percent)
        {
            text.Append(CultureInfo.InvariantCulture, $"progress={percent}% ");
        }

        if (status.OutputStatusCode is string statusCode)
        {
            text.Append(CultureInfo.InvariantCulture, $"statusCode={statusCode} ");
        }

        foreach (var (name, value) in status.OutputValues)
        {
            if (name != ReceivedTaskStatus.StatusCodeOutputKey)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}={value} ");
            }
        }

        if (status.Message is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"message=\"{status.Message}\"");
        }

        return text.ToString().TrimEnd();
    }

    [LoggerMessage(1, LogLevel.Information, "Scenario received {Status} for task {TaskInstanceId}: {Details}")]
    private static partial void StatusReceived(ILogger logger, string status, string taskInstanceId, string details);
}
