using System.Net;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.HangfireStorage;
using Scenario.Receiver.Tasks.PostgreSql;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Tasks;

/// <summary>
/// A host on a real Hangfire.PostgreSql storage whose settings would run work twice, or break a report lock while a
/// status is posted, does not start; the message names the fix.
/// </summary>
public sealed class HangfirePostgreSqlSettingsTests(SharedPostgresServer postgres) : PostgresDatabaseTest(postgres)
{
    [SkippableFact]
    public async Task StorageWithoutSlidingInvisibility_StopsTheHostAtStartNamingTheFix()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        var storage = CreateStorage(o => o.UseSlidingInvisibilityTimeout = false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], storage: storage));

        Assert.Equal(
            "Hangfire.PostgreSql runs with UseSlidingInvisibilityTimeout = false: work longer than InvisibilityTimeout (00:00:10) is fetched again by every instance. Set PostgreSqlStorageOptions.UseSlidingInvisibilityTimeout = true.",
            error.Message);
    }

    [SkippableFact]
    public async Task StorageWithSlidingInvisibility_StartsAndAcceptsTasks()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        var storage = CreateStorage(o => o.UseSlidingInvisibilityTimeout = true);

        await using var host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], storage: storage);
        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);

        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
    }

    [SkippableFact]
    public async Task GenericTaskStoreWithALockTimeoutShorterThanTheReportLock_StopsTheHostAtStartNamingTheFix()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        // The test host's RequestTimeout is 5 s, so the report lock may be held 35 s.
        var storage = CreateStorage(o => o.DistributedLockTimeout = TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured,
            Scenario, [typeof(TaskWorkController)], storage: storage, configure: OnTheGenericTaskStore));

        Assert.Equal(
            "Hangfire.PostgreSql runs with DistributedLockTimeout = 00:00:20, shorter than a task's report lock may be held while its status is posted (Scenario:Reporting:RequestTimeout 00:00:05 + 30 s): another instance would break the lock and post the status again. Set PostgreSqlStorageOptions.DistributedLockTimeout to 00:00:35 or more, lower Scenario:Reporting:RequestTimeout, or keep the task records in the PostgreSQL task store (Scenario:TaskStore:ConnectionString), whose report lease does not depend on it.",
            error.Message);
    }

    [SkippableFact]
    public async Task GenericTaskStoreWithALockTimeoutAsLongAsTheReportLock_Starts()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        var storage = CreateStorage(o => o.DistributedLockTimeout = TimeSpan.FromSeconds(35));

        await using var host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)], storage: storage, configure: OnTheGenericTaskStore);

        Assert.IsType<HangfireTaskStore>(host.Services.GetRequiredService<ITaskStore>());
    }

    [SkippableFact]
    public async Task PostgreSqlTaskStoreWithAShortLockTimeout_Starts_ItsReportLeaseDoesNotDependOnIt()
    {
        Skip.IfNot(Postgres.IsAvailable, Postgres.UnavailableReason);
        var storage = CreateStorage(o => o.DistributedLockTimeout = TimeSpan.FromSeconds(20));

        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured,
            Scenario, [typeof(TaskWorkController)], new() { ["Scenario:TaskStore:ConnectionString"] = Database }, storage: storage);

        Assert.IsType<PostgreSqlTaskStore>(host.Services.GetRequiredService<ITaskStore>());
    }

    private static void OnTheGenericTaskStore(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
        => builder.Services.AddSingleton<ITaskStore>(provider => ActivatorUtilities.CreateInstance<HangfireTaskStore>(provider));

    private PostgreSqlStorage CreateStorage(Action<PostgreSqlStorageOptions> configure)
    {
        var options = new PostgreSqlStorageOptions
        {
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = ScaleOut.ScaleOutStorage.InvisibilityTimeout,
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
            PrepareSchemaIfNecessary = true,
        };
        configure(options);
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(Database, options, null), options);
        TaskStoreUnderTest.RememberDatabase(storage, Database);
        return storage;
    }
}
