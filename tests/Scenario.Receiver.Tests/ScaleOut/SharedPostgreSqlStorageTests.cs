using System.Globalization;
using Hangfire;
using Npgsql;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// <see cref="SharedStorageTests"/> on Hangfire's PostgreSQL storage, one database per test, and what holds on it
/// alone: its sliding invisibility timeout keeps a live job with its worker (Redis has none: README).
/// </summary>
public abstract class SharedPostgreSqlStorageTests(TaskStoreUnderTest store, SharedPostgresServer postgres) : SharedStorageTests(store), IClassFixture<SharedPostgresServer>
{
    private string _database = null!;

    protected override string? UnavailableReason => postgres.IsAvailable ? null : postgres.UnavailableReason;

    protected override async Task PrepareSharedStorageAsync() => _database = await postgres.CreateDatabaseAsync();

    protected override Task<JobStorage> CreateInstanceStorageAsync() => Task.FromResult<JobStorage>(ScaleOutStorage.Create(_database));

    protected override Task<long> CountJobsAsync()
        => PostgresServer.ScalarAsync(_database, """SELECT count(*) FROM "hangfire"."job" WHERE "invocationdata"::text NOT LIKE '%ScenarioSweepJob%'""");

    [SkippableFact]
    public async Task LiveJobRunningLongerThanTheInvisibilityTimeout_IsNotTakenOverByTheOtherInstance()
    {
        SkipWithoutServer();
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();

        var call = await a.RestCall.PostAsync("/tasks/blocked", null);
        await Await.UntilAsync(() => a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId) == 1, "the work runs", Timeout);
        var claimedAt = await FetchedAtAsync(call.JobId!);
        Assert.NotNull(claimedAt);

        // The sliding timeout renews the claim while the job runs. Once it has been renewed to beyond the moment
        // the first claim would have expired, both instances have polled the queue many times past that moment.
        var expiredBy = claimedAt.Value + ScaleOutStorage.InvisibilityTimeout + TimeSpan.FromSeconds(1);
        await Await.UntilAsync(
            async () => await FetchedAtAsync(call.JobId!) is not { } renewed || renewed >= expiredBy,
            "the claim on the running job is renewed past the moment the first claim would have expired",
            Timeout);

        Assert.Equal(1, a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId));
        a.Probe.Gate.SetResult();
        b.Probe.Gate.SetResult();
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Timeout);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(1, a.Probe.CountFor(call.TaskInstanceId) + b.Probe.CountFor(call.TaskInstanceId));
    }

    /// <summary>When the job's queue entry was last claimed by a worker, by the database's clock; null once it left the queue.</summary>
    private async Task<DateTime?> FetchedAtAsync(string jobId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "fetchedat" FROM "hangfire"."jobqueue" WHERE "jobid" = @jobId""", connection);
        command.Parameters.AddWithValue("jobId", long.Parse(jobId, CultureInfo.InvariantCulture));
        return await command.ExecuteScalarAsync() is DateTime fetchedAt ? fetchedAt : null;
    }
}

// Not on the in-memory store: its tasks are one process's, and a host on Hangfire's PostgreSQL storage never chooses it.
[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class SharedStorageTests_PostgreSqlStore(SharedPostgresServer postgres) : SharedPostgreSqlStorageTests(TaskStoreUnderTest.PostgreSql, postgres);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class SharedStorageTests_HangfireStore(SharedPostgresServer postgres) : SharedPostgreSqlStorageTests(TaskStoreUnderTest.Hangfire, postgres);
