namespace Scenario.Receiver.Tasks;

/// <summary>
/// A task store a package of its own adds to the choice (<see cref="TaskStoreChoice"/>), registered in the host's
/// services: the PostgreSQL table store's (<c>UsePostgreSqlTaskStore()</c>, package Scenario.Receiver.PostgreSql). The
/// core package knows the store by its kind and its factory only, so it needs none of the store's driver.
/// </summary>
/// <param name="Kind">The <c>Scenario:TaskStore:Kind</c> that names the store.</param>
/// <param name="Create">Builds the store from the host's services, once, when the host first needs it.</param>
internal sealed record TaskStoreRegistration(ScenarioTaskStoreKind Kind, Func<IServiceProvider, ITaskStore> Create);
