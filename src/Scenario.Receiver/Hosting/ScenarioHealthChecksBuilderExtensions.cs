using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scenario.Receiver;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Operations;
using Scenario.Receiver.Tasks;

// In the host's namespace, as ASP.NET Core's own extensions are, so users need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Scenario health check.</summary>
public static class ScenarioHealthChecksBuilderExtensions
{
    /// <summary>Default name of the health check.</summary>
    public const string DefaultName = "scenario";

    /// <summary>Default of the undelivered threshold: Degraded beyond 100 statuses waiting for Scenario.</summary>
    public const long DefaultUndeliveredThreshold = 100;

    /// <summary>
    /// Checks that Scenario's TaskStatus service is up (<c>GET {BaseUrl}/taskstatus/api/ServiceStatus</c> answers 204)
    /// within <c>Scenario:HealthCheckTimeout</c> (5 s by default), and reports Degraded while Scenario answers redirects
    /// or more than <paramref name="undeliveredThreshold"/> terminal statuses wait for delivery.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">Reported when Scenario is unreachable. Default Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by, e.g. "ready".</param>
    /// <param name="undeliveredThreshold">Statuses waiting for delivery beyond which the check is Degraded.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHealthChecksBuilder AddScenario(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        long undeliveredThreshold = DefaultUndeliveredThreshold)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegative(undeliveredThreshold);
        return builder.Add(new HealthCheckRegistration(
            name,
            services =>
            {
                // Checked when the check is built, not here: AddScenarioReceiver may come after AddHealthChecks.
                ScenarioReceiverMarker.EnsureAdded(services, $"{nameof(AddScenario)}()");
                return new ScenarioHealthCheck(
                    services.GetRequiredService<ScenarioStatusClient>(),
                    services.GetRequiredService<ScenarioRedirects>(),
                    services.GetRequiredService<ITaskStore>(),
                    services.GetRequiredService<Hangfire.JobStorage>(),
                    undeliveredThreshold);
            },
            failureStatus,
            tags));
    }
}
