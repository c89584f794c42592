using Hangfire;

namespace Scenario.Receiver.Testing;

/// <summary>
/// The host's answer to <see cref="IGlobalConfiguration"/>, which <c>AddHangfireServer</c> and <c>UseHangfireDashboard</c>
/// only check is registered. A marker of the host's own rather than Hangfire's process-wide configuration object: code that
/// resolves it to configure Hangfire gets nothing shared with the other hosts of the process.
/// </summary>
internal sealed class IsolatedHangfireConfiguration : IGlobalConfiguration
{
}
