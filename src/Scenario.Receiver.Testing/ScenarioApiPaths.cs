namespace Scenario.Receiver.Testing;

/// <summary>The paths of Scenario's API that the stand-in serves, relative to Scenario's base URL.</summary>
internal static class ScenarioApiPaths
{
    public const string TaskStatuses = "/taskstatus/api/task-statuses";
    public const string TaskStatusServiceStatus = "/taskstatus/api/ServiceStatus";
    public const string PollingServiceStatus = "/polling/api/ServiceStatus";

    /// <summary>
    /// Scenario's cancellation query, from its developer's guide (Polling, <c>GET /api/Cancelled</c>) under its
    /// URL rule <c>{BASE_URL}/{endpointname}/{operation}</c>.
    /// </summary>
    public const string Cancelled = "/polling/api/Cancelled";

    public const string CancelledNamespaceParameter = "catalogTaskDefinitionNamespace";
    public const string CancelledTaskInstanceIdParameter = "taskInstanceId";

    public const string Served =
        $"POST {TaskStatuses}, GET {TaskStatusServiceStatus}, GET {PollingServiceStatus} "
        + $"and GET {Cancelled}?{CancelledNamespaceParameter}={{ns}}&{CancelledTaskInstanceIdParameter}={{id}}";

    /// <summary>
    /// Compares like ASP.NET Core routing does (case-insensitive, one trailing slash allowed), so the stand-in
    /// is no stricter than Scenario about the things Scenario forgives and a receiver need not care about.
    /// </summary>
    public static bool Matches(string path, string expected) =>
        path.Equals(expected, StringComparison.OrdinalIgnoreCase)
        || (path.Length == expected.Length + 1
            && path[^1] == '/'
            && path.StartsWith(expected, StringComparison.OrdinalIgnoreCase));
}
