using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Load;

namespace Scenario.Receiver.Benchmarks.Work;

/// <summary>
/// The library's services as the micro benchmarks and the memory probe use them: no web host and no Scenario.
/// Nothing is posted in these measurements, so BaseUrl names an address nobody answers.
/// </summary>
public static class ReceiverServices
{
    /// <summary>The receiver's own services: enough for the middleware and the outcome mapper.</summary>
    public static IServiceCollection AddBenchReceiver(this IServiceCollection services)
        => services
            .AddLogging()
            .AddScenarioReceiver(options =>
            {
                options.BaseUrl = new Uri("http://127.0.0.1:5999/");
                options.ApiKey = "bench-key";
            });

    /// <summary>
    /// The receiver with Hangfire on a fresh InMemory storage and <see cref="LibraryController"/> as its only
    /// long-running action: what the accept path needs.
    /// </summary>
    public static ServiceProvider BuildAcceptingReceiver()
    {
        var services = new ServiceCollection().AddBenchReceiver();
        IsolatedHangfire.Add(services, new InMemoryStorage());
        services.AddControllers().ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllerFeatureProvider(typeof(LibraryController))));
        return services.BuildServiceProvider();
    }
}
