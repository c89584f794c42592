using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Scenario.Receiver;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.PostgreSql;

// In the host's namespace, as AddScenarioReceiver is, so users need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PostgreSQL task store to the Scenario receiver.</summary>
public static class ScenarioReceiverBuilderPostgreSqlExtensions
{
    /// <summary>
    /// Registers the PostgreSQL task store: with <c>Scenario:TaskStore:ConnectionString</c> set (and
    /// <c>Scenario:TaskStore:Kind</c> Automatic or PostgreSql), the receiver keeps its task records in one table of that
    /// database (<c>Scenario:TaskStore:Schema</c>.task, created on first use). Also checks at start-up that a
    /// Hangfire.PostgreSql storage keeps the guarantees (sliding invisibility timeout, distributed lock timeout), whichever
    /// store keeps the records. Validates the connection string and schema at start-up.
    /// </summary>
    /// <param name="builder">What <c>AddScenarioReceiver</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static ScenarioReceiverBuilder UsePostgreSqlTaskStore(this ScenarioReceiverBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(descriptor => descriptor.ServiceType == typeof(TaskStoreRegistration) && descriptor.ImplementationInstance is TaskStoreRegistration { Kind: ScenarioTaskStoreKind.PostgreSql }))
        {
            return builder;
        }

        services.AddSingleton(new TaskStoreRegistration(ScenarioTaskStoreKind.PostgreSql, provider => ActivatorUtilities.CreateInstance<PostgreSqlTaskStore>(provider)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScenarioReceiverOptions>, PostgreSqlTaskStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HangfirePostgreSqlStartupCheck>());
        return builder;
    }

    /// <summary>
    /// Registers the PostgreSQL task store (<see cref="UsePostgreSqlTaskStore(ScenarioReceiverBuilder)"/>) on the database
    /// of <paramref name="connectionString"/>, in place of <c>Scenario:TaskStore:ConnectionString</c>.
    /// </summary>
    /// <param name="builder">What <c>AddScenarioReceiver</c> returned.</param>
    /// <param name="connectionString">A PostgreSQL connection string, usually Hangfire.PostgreSql's.</param>
    /// <returns>The same builder.</returns>
    public static ScenarioReceiverBuilder UsePostgreSqlTaskStore(this ScenarioReceiverBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.Configure<ScenarioReceiverOptions>(options =>
        {
            options.TaskStore.ConnectionString = connectionString;
        });
        return builder.UsePostgreSqlTaskStore();
    }
}
