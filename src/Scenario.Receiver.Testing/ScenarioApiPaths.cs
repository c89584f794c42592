namespace Scenario.Receiver.Testing;

/// <summary>The paths of Scenario's API that the stand-in serves, relative to Scenario's base URL.</summary>
internal static class ScenarioApiPaths
{
    public const string TaskStatuses = "/taskstatus/api/task-statuses";
    public const string TaskStatusServiceStatus = "/taskstatus/api/ServiceStatus";
    public const string PollingServiceStatus = "/polling/api/ServiceStatus";
    public const string TaskInstancesPrefix = "/polling/api/task-instances/";
    public const string CancellationSuffix = "/cancellation";

    public const string Served =
        $"POST {TaskStatuses}, GET {TaskStatusServiceStatus}, GET {PollingServiceStatus} "
        + $"and GET {TaskInstancesPrefix}{{taskInstanceId}}{CancellationSuffix}";

    /// <summary>
    /// Compares like ASP.NET Core routing does (case-insensitive, one trailing slash allowed), so the stand-in
    /// is no stricter than Scenario about the things Scenario forgives and a receiver need not care about.
    /// </summary>
    public static bool Matches(string path, string expected) =>
        path.Equals(expected, StringComparison.OrdinalIgnoreCase)
        || (path.Length == expected.Length + 1
            && path[^1] == '/'
            && path.StartsWith(expected, StringComparison.OrdinalIgnoreCase));

    /// <summary>Recognises <c>/polling/api/task-instances/{id}/cancellation</c> and extracts the id.</summary>
    public static bool TryMatchCancellation(string path, out string taskInstanceId)
    {
        taskInstanceId = string.Empty;
        if (!path.StartsWith(TaskInstancesPrefix, StringComparison.OrdinalIgnoreCase)
            || !path.EndsWith(CancellationSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        int start = TaskInstancesPrefix.Length;
        int length = path.Length - start - CancellationSuffix.Length;
        if (length <= 0 || path.AsSpan(start, length).Contains('/'))
        {
            return false;
        }

        taskInstanceId = path.Substring(start, length);
        return true;
    }
}
