using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Hosting;

/// <summary>
/// Warns at start-up, once per host, of every deprecated setting still in use (<see cref="RenamedSetting"/>), naming
/// the key that replaces it, so the configuration is fixed before the release that stops reading the old key.
/// </summary>
internal sealed class RenamedSettingsWarning(IOptions<ScenarioReceiverOptions> options, ILogger<RenamedSettingsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var setting in RenamedSetting.All.Where(setting => setting.IsUsed(options.Value)))
        {
            if (setting.IsOverridden(options.Value))
            {
                Log.RenamedSettingOverridden(logger, setting.OldKey, setting.NewKey);
            }
            else
            {
                Log.RenamedSettingUsed(logger, setting.OldKey, setting.NewKey, setting.Example);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
