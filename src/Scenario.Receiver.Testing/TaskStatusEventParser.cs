using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;

namespace Scenario.Receiver.Testing;

/// <summary>
/// Checks a status body against Scenario's <c>TaskStatusEvent</c> the way the stand-in must: strictly,
/// so that a receiver which would be refused by Scenario (a number where Scenario wants a string,
/// a terminal status without <c>statusCode</c>) fails its tests instead of production.
/// </summary>
internal static class TaskStatusEventParser
{
    private const string TaskInstanceIdProperty = "taskInstanceId";
    private const string StatusProperty = "status";
    private const string ProgressPercentageProperty = "progressPercentage";
    private const string MessageProperty = "message";
    private const string InvariantsProperty = "invariants";
    private const string OutputValuesProperty = "outputValues";

    private static readonly IReadOnlyDictionary<string, string> Empty =
        ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Parses <paramref name="body"/>; on failure returns the reason, written for the sender.</summary>
    public static bool TryParse(
        string body,
        RequestFacts facts,
        out ReceivedTaskStatus? status,
        out string? error)
    {
        status = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException exception)
        {
            error = "The body is not valid JSON: " + exception.Message;
            return false;
        }

        using (document)
        {
            error = Validate(document.RootElement, body, facts, out status);
            return error is null;
        }
    }

    private static string? Validate(JsonElement root, string body, RequestFacts facts, out ReceivedTaskStatus? status)
    {
        status = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"The body must be a JSON object (a TaskStatusEvent); got {Describe(root)}.";
        }

        if (!root.TryGetProperty(TaskInstanceIdProperty, out var taskInstanceIdElement)
            || taskInstanceIdElement.ValueKind != JsonValueKind.String
            || string.IsNullOrEmpty(taskInstanceIdElement.GetString()))
        {
            return $"'{TaskInstanceIdProperty}' is required and must be a non-empty JSON string.";
        }

        var taskInstanceId = taskInstanceIdElement.GetString()!;

        const string AllowedStatuses = "InProgress, Completed or Error";
        if (!root.TryGetProperty(StatusProperty, out var statusElement) || IsNull(statusElement))
        {
            return $"'{StatusProperty}' is required: {AllowedStatuses}.";
        }

        var statusText = statusElement.ValueKind == JsonValueKind.String ? statusElement.GetString() : null;
        if (statusText is not (ReceivedTaskStatus.InProgressStatus or ReceivedTaskStatus.CompletedStatus or ReceivedTaskStatus.ErrorStatus))
        {
            return $"'{StatusProperty}' must be {AllowedStatuses}; got {Describe(statusElement)}.";
        }

        int? progressPercentage = null;
        if (root.TryGetProperty(ProgressPercentageProperty, out var progressElement) && !IsNull(progressElement))
        {
            if (progressElement.ValueKind != JsonValueKind.Number
                || !progressElement.TryGetInt32(out var progress)
                || progress is < 0 or > 100)
            {
                return $"'{ProgressPercentageProperty}' must be an integer from 0 to 100; got {Describe(progressElement)}.";
            }

            progressPercentage = progress;
        }

        string? message = null;
        if (root.TryGetProperty(MessageProperty, out var messageElement) && !IsNull(messageElement))
        {
            if (messageElement.ValueKind != JsonValueKind.String)
            {
                return $"'{MessageProperty}' must be a JSON string; got {Describe(messageElement)}.";
            }

            message = messageElement.GetString();
        }

        if (ReadStringMap(root, InvariantsProperty, out var invariants) is string invariantsError)
        {
            return invariantsError;
        }

        if (ReadStringMap(root, OutputValuesProperty, out var outputValues) is string outputValuesError)
        {
            return outputValuesError;
        }

        var isTerminal = statusText is ReceivedTaskStatus.CompletedStatus or ReceivedTaskStatus.ErrorStatus;
        var statusCodeKey = $"'{OutputValuesProperty}.{ReceivedTaskStatus.StatusCodeOutputKey}'";
        if (isTerminal)
        {
            // A RestCall task ends with the HTTP status code it reports; Scenario refuses a terminal status without one.
            if (!outputValues.TryGetValue(ReceivedTaskStatus.StatusCodeOutputKey, out var statusCode))
            {
                return $"{statusCodeKey} is required with status {statusText}: a valid HTTP status code (100-599) as a string.";
            }

            if (!int.TryParse(statusCode, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 599)
            {
                return $"{statusCodeKey} must be a valid HTTP status code (100-599) as a string; got \"{statusCode}\".";
            }
        }

        status = new ReceivedTaskStatus(
            taskInstanceId,
            statusText,
            progressPercentage,
            message,
            outputValues,
            invariants,
            body,
            facts.Authorization,
            facts.ContentType,
            facts.Accept,
            facts.ReceivedAt);
        return null;
    }

    private static string? ReadStringMap(JsonElement root, string propertyName, out IReadOnlyDictionary<string, string> map)
    {
        map = Empty;
        if (!root.TryGetProperty(propertyName, out var element) || IsNull(element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"'{propertyName}' must be a JSON object whose values are strings; got {Describe(element)}.";
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                // The most common mistake, and one Scenario does not forgive: "statusCode": 200 instead of "200".
                return $"'{propertyName}.{property.Name}' must be a JSON string (Scenario expects numbers as strings, "
                    + $"e.g. \"200\"); got {Describe(property.Value)}.";
            }

            values[property.Name] = property.Value.GetString()!;
        }

        map = values.AsReadOnly();
        return null;
    }

    private static bool IsNull(JsonElement element) => element.ValueKind == JsonValueKind.Null;

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"\"{element.GetString()}\"",
        JsonValueKind.Number => $"{element.GetRawText()} (a JSON number)",
        JsonValueKind.True or JsonValueKind.False => $"{element.GetRawText()} (a JSON boolean)",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "a JSON object",
        JsonValueKind.Array => "a JSON array",
        _ => element.ValueKind.ToString(),
    };
}
