using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Scenario.Receiver.Request;

/// <summary>
/// Reads and validates the <c>X-Scenario-*</c> headers. The values come from the network, so every
/// one is bounded before it is parsed, and only a canonical GUID is taken as a task id: it becomes
/// a storage key, a log scope value and part of a job's display name.
/// </summary>
internal static class TaskHeaderReader
{
    /// <summary>The length of a GUID in its canonical "D" form, e.g. 364e21c2-25bf-497d-9583-3d359e7cbf91.</summary>
    internal const int TaskInstanceIdLength = 36;

    internal const int MaxWorkflowInstanceIdLength = 128;

    internal const int MaxTaskStatusUrlLength = 2048;

    internal static TaskHeaderReadResult Read(IHeaderDictionary headers)
    {
        var taskIdValues = headers[ScenarioHeaderNames.TaskInstanceId];
        if (taskIdValues.Count == 0)
        {
            return TaskHeaderReadResult.NoTask;
        }

        if (!TryReadTaskInstanceId(taskIdValues, out var taskInstanceId, out var taskIdProblem))
        {
            return TaskHeaderReadResult.Invalid(ScenarioHeaderNames.TaskInstanceId, taskIdProblem);
        }

        string? workflowInstanceId = null;
        var workflowValues = headers[ScenarioHeaderNames.WorkflowInstanceId];
        if (workflowValues.Count > 0 && !TryReadWorkflowInstanceId(workflowValues, out workflowInstanceId, out var workflowProblem))
        {
            return TaskHeaderReadResult.Invalid(ScenarioHeaderNames.WorkflowInstanceId, workflowProblem);
        }

        var statusUrl = ReadTaskStatusUrl(headers[ScenarioHeaderNames.TaskStatusUrl], out var statusUrlIgnoredBecause);
        return TaskHeaderReadResult.Task(taskInstanceId, workflowInstanceId, statusUrl, statusUrlIgnoredBecause);
    }

    private static bool TryReadTaskInstanceId(StringValues values, out string taskInstanceId, out string problem)
    {
        taskInstanceId = string.Empty;
        if (values.Count != 1)
        {
            problem = $"The {ScenarioHeaderNames.TaskInstanceId} header must appear once; it appeared {values.Count} times.";
            return false;
        }

        var value = values[0] ?? string.Empty;
        if (!IsTaskInstanceId(value))
        {
            problem = $"The {ScenarioHeaderNames.TaskInstanceId} header must be a GUID such as 364e21c2-25bf-497d-9583-3d359e7cbf91.";
            return false;
        }

        taskInstanceId = Canonical(value);
        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// A task id as every store and job keys it: the GUID in lower case. Made so once, at the edge (this reader, the
    /// explicit completion, the status endpoint), so that a retried RestCall in another letter case is the same task.
    /// Allocates only for an id that has an upper-case letter.
    /// </summary>
    internal static string Canonical(string taskInstanceId)
    {
        foreach (var c in taskInstanceId)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return taskInstanceId.ToLowerInvariant();
            }
        }

        return taskInstanceId;
    }

    /// <summary>
    /// Whether <paramref name="value"/> can be a task instance id: a GUID in its 36-character form (either case), not the
    /// empty GUID. What the header reader accepts, and all that a callback's id may be.
    /// </summary>
    internal static bool IsTaskInstanceId(string value) => IsCanonicalGuid(value, out var guid) && guid != Guid.Empty;

    /// <summary>A GUID in its canonical "D" form only, checked for length before it is parsed.</summary>
    internal static bool IsCanonicalGuid(string value, out Guid guid)
    {
        guid = Guid.Empty;
        return value.Length == TaskInstanceIdLength && Guid.TryParseExact(value, "D", out guid);
    }

    private static bool TryReadWorkflowInstanceId(StringValues values, out string? workflowInstanceId, out string problem)
    {
        workflowInstanceId = null;
        var value = values.Count == 1 ? values[0] ?? string.Empty : string.Empty;
        if (values.Count != 1 || value.Length == 0 || value.Length > MaxWorkflowInstanceIdLength || !IsPrintableAscii(value))
        {
            problem = $"The {ScenarioHeaderNames.WorkflowInstanceId} header must appear once, with 1 to {MaxWorkflowInstanceIdLength} printable ASCII characters.";
            return false;
        }

        workflowInstanceId = value;
        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// A malformed status URL does not fail the call: reports go to the configured BaseUrl unless the
    /// URL's origin is explicitly allowed, so a bad value here changes nothing but a log line.
    /// </summary>
    private static Uri? ReadTaskStatusUrl(StringValues values, out string? ignoredBecause)
    {
        ignoredBecause = null;
        if (values.Count == 0)
        {
            return null;
        }

        var value = values.Count == 1 ? values[0] : null;
        if (value is null || value.Length > MaxTaskStatusUrlLength
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            ignoredBecause = "it is not one absolute http(s) URL";
            return null;
        }

        return uri;
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x21 || c > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
