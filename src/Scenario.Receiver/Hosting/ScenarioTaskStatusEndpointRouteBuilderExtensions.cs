using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Scenario.Receiver;
using Scenario.Receiver.Operations;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tasks;

// In the host's namespace, as ASP.NET Core's own extensions are, so users need no extra using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the task status endpoint.</summary>
public static class ScenarioTaskStatusEndpointRouteBuilderExtensions
{
    /// <summary>Default prefix of the task status endpoint.</summary>
    public const string DefaultPrefix = "/scenario/tasks";

    /// <summary>
    /// Maps <c>GET {prefix}/{taskInstanceId}</c>: <c>{taskInstanceId, workflowInstanceId, jobId, state,
    /// reportedStatus, reportedAt}</c> for a task accepted by any instance sharing the job storage, 404
    /// problem+json for an unknown one. The endpoint goes through the host's authorization like any other:
    /// chain <c>.RequireAuthorization(…)</c> to protect it.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The route prefix. Default <see cref="DefaultPrefix"/>.</param>
    /// <returns>A builder to add conventions such as authorization.</returns>
    public static RouteHandlerBuilder MapScenarioTaskStatus(this IEndpointRouteBuilder endpoints, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ScenarioReceiverMarker.EnsureAdded(endpoints.ServiceProvider, $"{nameof(MapScenarioTaskStatus)}()");

        return endpoints.MapGet(
                prefix.TrimEnd('/') + "/{taskInstanceId}",
                static (string taskInstanceId, ITaskStore records, JobLookup jobs, ILoggerFactory loggers, CancellationToken cancellationToken)
                    => TaskStatusEndpoint.GetAsync(taskInstanceId, records, jobs, loggers, cancellationToken))
            .WithName("ScenarioTaskStatus")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }
}
