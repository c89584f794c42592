using Hangfire.PostgreSql;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>
/// The PostgreSQL storage options the sample recommends (examples/Scenario.Receiver.Sample/Hosting/HangfireStorage.cs),
/// repeated here so that the measured numbers are those a user of the sample gets.
/// </summary>
internal static class PostgresStorageSettings
{
    public static PostgreSqlStorageOptions Create() => new()
    {
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(1),
        QueuePollInterval = TimeSpan.FromMilliseconds(500),
        PrepareSchemaIfNecessary = true,
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
    };

    public static string Describe(PostgreSqlStorageOptions options)
        => $"UseSlidingInvisibilityTimeout={options.UseSlidingInvisibilityTimeout}, InvisibilityTimeout={options.InvisibilityTimeout}, "
           + $"QueuePollInterval={options.QueuePollInterval}, DistributedLockTimeout={options.DistributedLockTimeout}, EnableLongPolling={options.EnableLongPolling}";
}
