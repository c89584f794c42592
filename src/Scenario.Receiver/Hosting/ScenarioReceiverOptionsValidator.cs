using Microsoft.Extensions.Options;
using Scenario.Receiver.Recovery;

namespace Scenario.Receiver.Hosting;

/// <summary>
/// Fails the host at start-up with a message that names the setting to fix, instead of failing the
/// first report hours later.
/// </summary>
internal sealed class ScenarioReceiverOptionsValidator : IValidateOptions<ScenarioReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, ScenarioReceiverOptions options)
    {
        var failures = new List<string>();

        if (options.BaseUrl is null)
        {
            failures.Add("Scenario:BaseUrl is missing. Set it to the address of X4B Scenario, e.g. https://scenario.example.com (environment variable Scenario__BaseUrl).");
        }
        else if (!options.BaseUrl.IsAbsoluteUri || (options.BaseUrl.Scheme != Uri.UriSchemeHttp && options.BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Scenario:BaseUrl must be an absolute http or https URL, e.g. https://scenario.example.com.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add("Scenario:ApiKey is missing. Set it to the worker token issued by the Scenario administrators (environment variable Scenario__ApiKey).");
        }

        foreach (var origin in options.AllowedStatusUrlOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Scenario:AllowedStatusUrlOrigins contains '{origin}', which is not an origin such as https://scenario.example.com (scheme, host and optional port, no path).");
            }
        }

        if (options.RecordRetention <= TimeSpan.Zero)
        {
            failures.Add("Scenario:RecordRetention must be positive, e.g. 7.00:00:00.");
        }

        if (options.MaxMessageLength < 100)
        {
            failures.Add("Scenario:MaxMessageLength must be at least 100 characters.");
        }

        if (options.MaxOutputValuesBytes < 1024)
        {
            failures.Add("Scenario:MaxOutputValuesBytes must be at least 1024 bytes.");
        }

        if (options.MaxArgumentsBytes < 1024)
        {
            failures.Add("Scenario:MaxArgumentsBytes must be at least 1024 bytes.");
        }

        if (options.WorkRetryDelay < TimeSpan.Zero)
        {
            // Named as it was set: the deprecated key in seconds counts until the new one is set.
            failures.Add(options.IsWorkRetryDelaySet || !RenamedSetting.WorkRetryDelay.IsUsed(options)
                ? "Scenario:WorkRetryDelay must not be negative, e.g. 00:00:30."
                : "Scenario:WorkRetryDelaySeconds must not be negative; it is deprecated too: set Scenario:WorkRetryDelay instead, e.g. 00:00:30.");
        }

        if (options.DefaultTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add("Scenario:DefaultTimeout must be positive, or left out for no limit.");
        }

        if (!SweepScheduler.IsCronInterval(options.SweepInterval))
        {
            failures.Add($"Scenario:SweepInterval is {options.SweepInterval}; it must be a whole number of seconds that divides a minute (00:00:01 to 00:00:30) or of minutes that divides an hour (00:01:00 to 01:00:00), because it becomes a cron schedule.");
        }

        if (options.SweepHorizon <= TimeSpan.Zero)
        {
            failures.Add("Scenario:SweepHorizon must be positive, e.g. 00:10:00: how long the sweeper leaves a task it found healthy before it looks again.");
        }

        if (options.HealthCheckTimeout <= TimeSpan.Zero)
        {
            failures.Add("Scenario:HealthCheckTimeout must be positive, e.g. 00:00:05: the health check's wait for Scenario's ServiceStatus answer.");
        }

        var reporting = options.Reporting;
        if (reporting.MaxAttempts < 1)
        {
            failures.Add("Scenario:Reporting:MaxAttempts must be at least 1.");
        }

        if (reporting.EffectiveRetryDelays.Any(delay => delay < TimeSpan.Zero))
        {
            failures.Add(reporting.IsRetryDelaysSet
                ? "Scenario:Reporting:RetryDelays must not contain negative delays."
                : "Scenario:Reporting:RetryDelaysSeconds must not contain negative delays; it is deprecated too: set Scenario:Reporting:RetryDelays instead, e.g. [\"00:00:10\", \"00:00:30\"].");
        }

        if (reporting.MaxRetryDelay <= TimeSpan.Zero)
        {
            failures.Add("Scenario:Reporting:MaxRetryDelay must be positive, e.g. 01:00:00.");
        }

        if (reporting.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Scenario:Reporting:RequestTimeout must be positive.");
        }

        if (reporting.InlineAttemptTimeout <= TimeSpan.Zero)
        {
            failures.Add("Scenario:Reporting:InlineAttemptTimeout must be positive, e.g. 00:00:05.");
        }

        if (reporting.Workers < 0)
        {
            failures.Add($"Scenario:Reporting:Workers must not be negative (default {ScenarioReportingOptions.DefaultWorkers}; 0 runs no report server, and a server of the application must then list the queue '{ScenarioReportingOptions.ReportQueue}').");
        }

        if (reporting.ProgressInterval < TimeSpan.Zero)
        {
            failures.Add("Scenario:Reporting:ProgressInterval must not be negative.");
        }

        if (reporting.HeartbeatInterval is { } heartbeat && heartbeat <= TimeSpan.Zero)
        {
            failures.Add("Scenario:Reporting:HeartbeatInterval must be positive, or left out for no heartbeat.");
        }

        if (options.Cancellation.PollInterval is { } poll && poll <= TimeSpan.Zero)
        {
            failures.Add("Scenario:Cancellation:PollInterval must be positive, e.g. 00:00:30, or empty to stop asking Scenario whether a task was cancelled.");
        }

        if (!(options.Cancellation.MaxQueriesPerSecond > 0) || double.IsInfinity(options.Cancellation.MaxQueriesPerSecond))
        {
            failures.Add($"Scenario:Cancellation:MaxQueriesPerSecond is {options.Cancellation.MaxQueriesPerSecond}; it must be a positive number, e.g. 20: how many questions a second the check of deferred tasks sends Scenario at most.");
        }

        if (options.Cancellation.Namespace is null)
        {
            failures.Add("Scenario:Cancellation:Namespace must not be null; leave it empty when Scenario's tasks carry no namespace.");
        }

        if (options.TaskStore is { } taskStore)
        {
            failures.AddRange(TaskStoreFailures(taskStore));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> TaskStoreFailures(ScenarioTaskStoreOptions taskStore)
    {
        if (!Tasks.PostgreSql.PostgreSqlTaskSql.IsValidSchemaName(taskStore.Schema))
        {
            yield return $"Scenario:TaskStore:Schema '{taskStore.Schema}' is not a schema name the receiver writes into SQL; use lower-case letters, digits and underscores, starting with a letter (default {ScenarioTaskStoreOptions.DefaultSchema}).";
        }

        if (string.IsNullOrWhiteSpace(taskStore.ConnectionString))
        {
            yield break;
        }

        string? parseFailure = null;
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(taskStore.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the keyword, never the value: a connection string holds a password.
            parseFailure = ex.Message;
        }

        if (parseFailure is not null)
        {
            yield return $"Scenario:TaskStore:ConnectionString is not a PostgreSQL connection string ({parseFailure}); write it as Npgsql does, e.g. Host=db;Database=jobs;Username=app;Password=….";
        }
    }
}
