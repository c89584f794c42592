using Scenario.Receiver;
using Scenario.Receiver.Request;

// In the host's namespace, as ASP.NET Core's own extensions are, so users need no extra using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the Scenario receiver's middleware to the request pipeline.</summary>
public static class ScenarioReceiverApplicationBuilderExtensions
{
    /// <summary>
    /// Captures the <c>X-Scenario-*</c> headers into the scoped <see cref="ScenarioTaskContext"/>, and answers
    /// 400 problem+json to a malformed task id. Place it before <c>MapControllers</c> (and before
    /// authentication, so a malformed call is turned away cheaply).
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application, for chaining.</returns>
    public static IApplicationBuilder UseScenarioTaskContext(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ScenarioReceiverMarker.EnsureAdded(app.ApplicationServices, $"{nameof(UseScenarioTaskContext)}()");

        return app.UseMiddleware<ScenarioTaskContextMiddleware>();
    }
}
