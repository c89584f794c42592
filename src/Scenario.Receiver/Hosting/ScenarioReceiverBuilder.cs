using System.Collections;

// In the host's namespace, as AddScenarioReceiver is: the storages' packages extend it with no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <c>AddScenarioReceiver</c> returns: the application's services, for the storages' packages to extend
/// (<c>.UsePostgreSqlTaskStore()</c> of Scenario.Receiver.PostgreSql). It is the <see cref="IServiceCollection"/> it
/// wraps, too, so code that chained service registrations after <c>AddScenarioReceiver</c> keeps compiling.
/// </summary>
public sealed class ScenarioReceiverBuilder : IServiceCollection
{
    internal ScenarioReceiverBuilder(IServiceCollection services) => Services = services;

    /// <summary>The application's services, to which the receiver was added.</summary>
    public IServiceCollection Services { get; }

    /// <inheritdoc/>
    public ServiceDescriptor this[int index] { get => Services[index]; set => Services[index] = value; }

    /// <inheritdoc/>
    public int Count => Services.Count;

    /// <inheritdoc/>
    public bool IsReadOnly => Services.IsReadOnly;

    /// <inheritdoc/>
    public void Add(ServiceDescriptor item) => Services.Add(item);

    /// <inheritdoc/>
    public void Clear() => Services.Clear();

    /// <inheritdoc/>
    public bool Contains(ServiceDescriptor item) => Services.Contains(item);

    /// <inheritdoc/>
    public void CopyTo(ServiceDescriptor[] array, int arrayIndex) => Services.CopyTo(array, arrayIndex);

    /// <inheritdoc/>
    public IEnumerator<ServiceDescriptor> GetEnumerator() => Services.GetEnumerator();

    /// <inheritdoc/>
    public int IndexOf(ServiceDescriptor item) => Services.IndexOf(item);

    /// <inheritdoc/>
    public void Insert(int index, ServiceDescriptor item) => Services.Insert(index, item);

    /// <inheritdoc/>
    public bool Remove(ServiceDescriptor item) => Services.Remove(item);

    /// <inheritdoc/>
    public void RemoveAt(int index) => Services.RemoveAt(index);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
