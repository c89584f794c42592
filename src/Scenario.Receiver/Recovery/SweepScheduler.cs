using System.Globalization;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Diagnostics;
using Scenario.Receiver.Jobs;
using Scenario.Receiver.Plumbing;

namespace Scenario.Receiver.Recovery;

/// <summary>
/// Schedules <see cref="ScenarioSweepJob"/> as a Hangfire recurring job when the host starts, through the
/// <see cref="IRecurringJobManager"/> in DI (never the static <c>RecurringJob</c>). Every instance does it;
/// the recurring job's id is one, so the instances share one schedule and any of their servers runs it.
/// A storage that is down at start does not stop the host: scheduling is tried again until it works.
/// </summary>
internal sealed class SweepScheduler(IServiceProvider services, IOptions<ScenarioReceiverOptions> options, ILogger<SweepScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IRecurringJobManager>() is not { } manager)
        {
            Log.SweepUnavailable(logger);
            return;
        }

        var interval = options.Value.SweepInterval;
        var cron = CronFor(interval);
        var retryDelay = interval < StorageRetry.MaxDelay ? interval : StorageRetry.MaxDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                manager.AddOrUpdate<ScenarioSweepJob>(ScenarioSweepJob.RecurringJobId, job => job.SweepAsync(CancellationToken.None), cron);
                return;
            }
#pragma warning disable CA1031 // The storage's exception types vary; the host must start and retry either way.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SweepNotScheduled(logger, ex, ex.Message, retryDelay.TotalSeconds);
            }

            await Task.Delay(retryDelay, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The cron schedule of an interval: every N seconds (with Hangfire's seconds field) or every N minutes.
    /// The validator lets only intervals a cron schedule can keep evenly through.
    /// </summary>
    internal static string CronFor(TimeSpan interval)
    {
        var seconds = (int)interval.TotalSeconds;
        return seconds < 60
            ? string.Create(CultureInfo.InvariantCulture, $"*/{seconds} * * * * *")
            : seconds == 3600
                ? "0 * * * *"
                : string.Create(CultureInfo.InvariantCulture, $"*/{seconds / 60} * * * *");
    }

    /// <summary>True for a whole number of seconds dividing a minute, or of minutes dividing an hour.</summary>
    internal static bool IsCronInterval(TimeSpan interval)
    {
        if (interval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return false;
        }

        var seconds = (long)interval.TotalSeconds;
        return seconds switch
        {
            >= 1 and < 60 => 60 % seconds == 0,
            >= 60 and <= 3600 => seconds % 60 == 0 && 60 % (seconds / 60) == 0,
            _ => false,
        };
    }
}
