using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>
/// The child side: one receiver instance, set up as an application sets one up (AddHangfire with its
/// storage, AddHangfireServer, AddScenarioReceiver, the controller), on 127.0.0.1 and a free port. It
/// prints <see cref="ReadyPrefix"/> and its address once it listens, and runs until it is killed.
/// </summary>
internal static class InstanceHost
{
    public const string Mode = "instance";
    public const string ReadyPrefix = "INSTANCE-READY ";

    /// <summary><c>instance --storage inmemory|postgres [--connection cs] --scenario url --api-key key --name name [--workers n]</c>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            settings[args[i]] = args[i + 1];
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scenario:BaseUrl"] = settings["--scenario"],
            ["Scenario:ApiKey"] = settings["--api-key"],

            // The instances keep their tasks in Hangfire's storage, whose report lock the sample's one-minute
            // DistributedLockTimeout must outlast (RequestTimeout + 30 s), or the host does not start. The stand-in
            // answers in milliseconds, so this changes nothing measured.
            ["Scenario:Reporting:RequestTimeout"] = "00:00:30",
        });

        builder.Services.AddHangfire(hangfire =>
        {
            hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer();
            if (settings["--storage"] == "postgres")
            {
                hangfire.UsePostgreSqlStorage(connection => connection.UseNpgsqlConnection(settings["--connection"]), PostgresStorageSettings.Create());
            }
            else
            {
                hangfire.UseInMemoryStorage();
            }
        });
        builder.Services.AddHangfireServer(server =>
        {
            server.ServerName = settings["--name"];
            if (settings.TryGetValue("--workers", out var workers))
            {
                server.WorkerCount = int.Parse(workers, CultureInfo.InvariantCulture);
            }
        });
        builder.Services.AddScenarioReceiver(builder.Configuration.GetSection("Scenario")).UsePostgreSqlTaskStore();
        builder.Services.AddControllers();

        await using var app = builder.Build();
        app.UseScenarioTaskContext();
        app.MapControllers();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Console.WriteLine(ReadyPrefix + address);
        await app.WaitForShutdownAsync();
        return 0;
    }
}
