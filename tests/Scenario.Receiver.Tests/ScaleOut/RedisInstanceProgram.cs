using Hangfire;
using Hangfire.Redis.StackExchange;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Sample.Controllers;
using Scenario.Receiver.Sample.Pricing;
using Scenario.Receiver.Tests.Infrastructure;
using StackExchange.Redis;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// This test assembly's entry point, for <c>dotnet Scenario.Receiver.Tests.dll --redis-instance</c>: one receiver
/// instance on Hangfire.Redis.StackExchange, in a process of its own so a test can kill it for real
/// (<see cref="SampleProcess.StartOnRedisAsync"/>). It serves the sample's pricing runs, built as a user of Redis
/// builds a service: <c>UseRedisStorage</c> with the README's options, the receiver with its own choice of task store
/// (the generic one, in Redis). The sample itself stays on PostgreSQL and in-memory storage: Redis is the tests'
/// dependency only. The test runner never calls this; run without the switch it exits at once.
/// </summary>
public static class RedisInstanceProgram
{
    public const string Switch = "--redis-instance";

    /// <summary>StackExchange.Redis's configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public const string ConfigurationSetting = "Redis:Configuration";

    /// <summary>The key prefix the instances of one test share.</summary>
    public const string PrefixSetting = "Redis:Prefix";

    public const string InvisibilityTimeoutSetting = "Redis:InvisibilityTimeout";

    public static async Task<int> Main(string[] args)
    {
        if (!args.Contains(Switch))
        {
            await Console.Error.WriteLineAsync($"This is a test assembly; {Switch} runs it as a receiver instance on Redis for the scale-out tests.");
            return 2;
        }

        var builder = WebApplication.CreateBuilder(args.Where(arg => arg != Switch).ToArray());
        var configuration = builder.Configuration;
        var redisOptions = RedisScaleOutStorage.Options(
            configuration[PrefixSetting] ?? RedisStorageOptions.DefaultPrefix,
            configuration.GetValue<TimeSpan?>(InvisibilityTimeoutSetting));

        var redis = await ConnectionMultiplexer.ConnectAsync(RedisScaleOutStorage.ConnectionOptions(configuration[ConfigurationSetting]!));
        builder.Services.AddHangfire(hangfire => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRedisStorage(redis, redisOptions));
        builder.Services.AddHangfireServer(server =>
        {
            server.WorkerCount = configuration.GetValue("Hangfire:WorkerCount", server.WorkerCount);
            server.ServerName = configuration["Hangfire:ServerName"] ?? server.ServerName;
        });
        builder.Services.AddScenarioReceiver(configuration.GetSection("Scenario"));
        builder.Services.AddScoped<PricingEngine>();
        builder.Services.AddControllers()
            .AddApplicationPart(typeof(PricingRunsController).Assembly)
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllersFeatureProvider([typeof(PricingRunsController)])));

        await using var app = builder.Build();
        app.UseScenarioTaskContext();
        app.MapControllers();
        // SampleProcess waits for the dashboard's answer, as it does for the sample.
        app.UseHangfireDashboard("/hangfire");
        await app.RunAsync();
        await redis.DisposeAsync();
        return 0;
    }
}
