using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.DependencyInjection;

/// <summary>Misconfiguration stops the host at start-up with a message that names the setting.</summary>
public sealed class ScenarioReceiverOptionsValidatorTests : StandInTest
{
    [Theory]
    [InlineData("Scenario:BaseUrl", "", "Scenario:BaseUrl is missing. Set it to the address of X4B Scenario, e.g. https://scenario.example.com (environment variable Scenario__BaseUrl).")]
    [InlineData("Scenario:BaseUrl", "ftp://scenario.example.com", "Scenario:BaseUrl must be an absolute http or https URL, e.g. https://scenario.example.com.")]
    [InlineData("Scenario:ApiKey", "", "Scenario:ApiKey is missing. Set it to the worker token issued by the Scenario administrators (environment variable Scenario__ApiKey).")]
    [InlineData("Scenario:Reporting:MaxAttempts", "0", "Scenario:Reporting:MaxAttempts must be at least 1.")]
    [InlineData("Scenario:Reporting:MaxRetryDelay", "00:00:00", "Scenario:Reporting:MaxRetryDelay must be positive, e.g. 01:00:00.")]
    [InlineData("Scenario:Reporting:InlineAttemptTimeout", "00:00:00", "Scenario:Reporting:InlineAttemptTimeout must be positive, e.g. 00:00:05.")]
    [InlineData("Scenario:Reporting:Workers", "-1", "Scenario:Reporting:Workers must not be negative (default 2; 0 runs no report server, and a server of the application must then list the queue 'scenario-reports').")]
    [InlineData("Scenario:HealthCheckTimeout", "00:00:00", "Scenario:HealthCheckTimeout must be positive, e.g. 00:00:05: the health check's wait for Scenario's ServiceStatus answer.")]
    [InlineData("Scenario:AllowedStatusUrlOrigins:0", "https://scenario.example.com/taskstatus", "Scenario:AllowedStatusUrlOrigins contains 'https://scenario.example.com/taskstatus', which is not an origin such as https://scenario.example.com (scheme, host and optional port, no path).")]
    [InlineData("Scenario:Cancellation:PollInterval", "-00:00:01", "Scenario:Cancellation:PollInterval must be positive, e.g. 00:00:30, or empty to stop asking Scenario whether a task was cancelled.")]
    [InlineData("Scenario:SweepInterval", "00:00:07", "Scenario:SweepInterval is 00:00:07; it must be a whole number of seconds that divides a minute (00:00:01 to 00:00:30) or of minutes that divides an hour (00:01:00 to 01:00:00), because it becomes a cron schedule.")]
    [InlineData("Scenario:SweepInterval", "02:00:00", "Scenario:SweepInterval is 02:00:00; it must be a whole number of seconds that divides a minute (00:00:01 to 00:00:30) or of minutes that divides an hour (00:01:00 to 01:00:00), because it becomes a cron schedule.")]
    [InlineData("Scenario:TaskStore:Schema", "Tasks; DROP TABLE job", "Scenario:TaskStore:Schema 'Tasks; DROP TABLE job' is not a schema name the receiver writes into SQL; use lower-case letters, digits and underscores, starting with a letter (default scenario_receiver).")]
    public async Task Host_WithInvalidSetting_FailsAtStartNamingIt(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], new() { [key] = value }));

        Assert.Contains(message, error.Failures);
    }

    [Fact]
    public async Task Host_WithATaskStoreConnectionStringThatIsNotOne_FailsAtStartNamingItWithoutItsValue()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], new() { ["Scenario:TaskStore:ConnectionString"] = "Host=db;Pasword=s3cret-value" }));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith("Scenario:TaskStore:ConnectionString is not a PostgreSQL connection string (", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "00:00:30")]
    [InlineData("", null)]
    [InlineData("00:00:05", "00:00:05")]
    public async Task CancellationPollInterval_AsConfigured_DefaultsTo30sAndEmptyTurnsItOff(string? configured, string? expected)
    {
        var settings = configured is null ? null : new Dictionary<string, string?> { ["Scenario:Cancellation:PollInterval"] = configured };
        await using var host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], settings, runHangfireServer: false);

        var options = host.Services.GetRequiredService<IOptions<ScenarioReceiverOptions>>().Value;

        Assert.Equal(expected is null ? null : TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), options.Cancellation.PollInterval);
        Assert.Equal(string.Empty, options.Cancellation.Namespace);
    }
}
