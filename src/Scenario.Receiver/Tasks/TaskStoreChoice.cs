using System.Globalization;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tasks.InMemory;

namespace Scenario.Receiver.Tasks;

/// <summary>
/// Chooses where the task records live (<c>Scenario:TaskStore:Kind</c>, <see cref="ScenarioTaskStoreKind"/>) and keeps
/// why, for the start-up log (event 1804): so an operator can tell from the log which store a host uses, where the
/// choice used to be visible only in the storage's type name.
/// </summary>
/// <remarks>
/// One per host (a singleton), set once when the host first resolves its <see cref="ITaskStore"/>. A host that registers
/// an <see cref="ITaskStore"/> of its own before <c>AddScenarioReceiver</c> (the tests) never asks, and <see cref="Reason"/>
/// stays null.
/// </remarks>
internal sealed class TaskStoreChoice
{
    /// <summary>Why the store was chosen, naming the settings that chose it; null until the host resolved its store here.</summary>
    public string? Reason { get; private set; }

    /// <summary>What the message of a host stopped for a missing registration names: the package and the call.</summary>
    internal const string PostgreSqlRegistrationHint = "add the package Scenario.Receiver.PostgreSql and call services.AddScenarioReceiver(...).UsePostgreSqlTaskStore()";

    public ITaskStore Choose(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<ScenarioReceiverOptions>>().Value.TaskStore ?? new ScenarioTaskStoreOptions();
        var storage = services.GetRequiredService<JobStorage>();
        var storageName = storage.GetType().FullName ?? storage.GetType().Name;
        var hasConnectionString = !string.IsNullOrWhiteSpace(settings.ConnectionString);
        var table = services.GetServices<TaskStoreRegistration>().LastOrDefault(registration => registration.Kind == ScenarioTaskStoreKind.PostgreSql);

        switch (settings.Kind)
        {
            case ScenarioTaskStoreKind.InMemory when InMemoryTaskStore.IsFor(storage):
                return Chosen(ActivatorUtilities.CreateInstance<InMemoryTaskStore>(services), "Scenario:TaskStore:Kind is InMemory and the Hangfire storage is Hangfire.InMemory, in this process alone");

            case ScenarioTaskStoreKind.InMemory:
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Scenario:TaskStore:Kind is InMemory, but the Hangfire storage is {storageName}, not Hangfire.InMemory: the task records would stay in this process while the jobs are shared with every instance on that storage, which would then work and report tasks they have no record of. Set Scenario:TaskStore:Kind to Automatic, Hangfire or PostgreSql."));

            case ScenarioTaskStoreKind.Hangfire:
                return Chosen(ActivatorUtilities.CreateInstance<HangfireTaskStore>(services), $"Scenario:TaskStore:Kind is Hangfire: the records are kept in the Hangfire storage ({storageName}) through its generic API");

            case ScenarioTaskStoreKind.PostgreSql:
                // The options validator refuses a PostgreSql kind without the registration or a connection string first.
                return Chosen(Required(table).Create(services), "Scenario:TaskStore:Kind is PostgreSql: the records are kept in the PostgreSQL task table of Scenario:TaskStore:ConnectionString");

            default:
                if (hasConnectionString)
                {
                    return Chosen(Required(table).Create(services), "Scenario:TaskStore:Kind is Automatic, Scenario:TaskStore:ConnectionString is set and UsePostgreSqlTaskStore() registered the PostgreSQL task table");
                }

                return InMemoryTaskStore.IsFor(storage)
                    ? Chosen(ActivatorUtilities.CreateInstance<InMemoryTaskStore>(services), "Scenario:TaskStore:Kind is Automatic and the Hangfire storage is Hangfire.InMemory, in this process alone: the records are kept beside it")
                    : Chosen(ActivatorUtilities.CreateInstance<HangfireTaskStore>(services), $"Scenario:TaskStore:Kind is Automatic, no Scenario:TaskStore:ConnectionString is set and the Hangfire storage ({storageName}) is shared: the records are kept in it through its generic API");
        }
    }

    private ITaskStore Chosen(ITaskStore store, string reason)
    {
        Reason = reason;
        return store;
    }

    private static TaskStoreRegistration Required(TaskStoreRegistration? table)
        => table ?? throw new InvalidOperationException($"The PostgreSQL task store is asked for (Scenario:TaskStore), but not registered: {PostgreSqlRegistrationHint}.");
}
