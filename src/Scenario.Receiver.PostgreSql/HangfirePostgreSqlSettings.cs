using System.Collections;
using System.Globalization;
using System.Reflection;
using Hangfire;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The settings of Hangfire.PostgreSql's storage that the receiver's guarantees depend on, read at start-up so that
/// a host configured to break them stops with a message that names the fix, instead of running work twice.
/// </summary>
/// <remarks>
/// Read by name, without a reference to Hangfire.PostgreSql: the package is the application's, not this library's
/// (as <see cref="InMemory.InMemoryTaskStore.IsFor"/> recognises Hangfire.InMemory). The storage's own
/// <c>Options</c> property is internal; its public <c>QueueProviders</c> hold the default queue provider, built
/// with the same options object and exposing it publicly (Hangfire.PostgreSql 1.8 to 1.21 at least).
/// <para>
/// What is not checked, and why: an <c>InvisibilityTimeout</c> shorter than the longest work. With the sliding
/// invisibility timeout (required below) a live worker renews its claim every fifth of that timeout, so the work's
/// length does not matter; the timeout then only says how soon a dead instance's jobs are taken over.
/// </para>
/// </remarks>
internal sealed record HangfirePostgreSqlSettings(bool UseSlidingInvisibilityTimeout, TimeSpan InvisibilityTimeout, TimeSpan DistributedLockTimeout)
{
    private const string StorageType = "Hangfire.PostgreSql.PostgreSqlStorage";
    private const string OptionsType = "Hangfire.PostgreSql.PostgreSqlStorageOptions";

    /// <summary>Whether <paramref name="storage"/> is Hangfire.PostgreSql's own storage, by its type's name.</summary>
    public static bool IsFor(JobStorage storage) => storage.GetType().FullName == StorageType;

    /// <summary>The settings of a Hangfire.PostgreSql storage, or null when they cannot be found (a version that moved them).</summary>
    public static HangfirePostgreSqlSettings? Read(JobStorage storage)
    {
        if (!IsFor(storage) || storage.GetType().GetProperty("QueueProviders")?.GetValue(storage) is not IEnumerable providers)
        {
            return null;
        }

        foreach (var provider in providers)
        {
            var options = provider?.GetType().GetProperty("Options")?.GetValue(provider);
            if (options?.GetType().FullName == OptionsType
                && Property(options, nameof(UseSlidingInvisibilityTimeout)) is bool sliding
                && Property(options, nameof(InvisibilityTimeout)) is TimeSpan invisibility
                && Property(options, nameof(DistributedLockTimeout)) is TimeSpan lockTimeout)
            {
                return new HangfirePostgreSqlSettings(sliding, invisibility, lockTimeout);
            }
        }

        return null;
    }

    /// <summary>
    /// What is wrong with these settings, each with its fix, or none.
    /// </summary>
    /// <param name="genericStoreReporting">
    /// The reporting options when the task records are kept in Hangfire's storage (<see cref="HangfireStorage.HangfireTaskStore"/>),
    /// whose report lock is a Hangfire distributed lock; null when another store holds them, whose lock does not
    /// depend on the storage's lock timeout.
    /// </param>
    public IReadOnlyList<string> Refusals(ScenarioReportingOptions? genericStoreReporting)
    {
        var refusals = new List<string>();
        if (!UseSlidingInvisibilityTimeout)
        {
            refusals.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Hangfire.PostgreSql runs with UseSlidingInvisibilityTimeout = false: work longer than InvisibilityTimeout ({InvisibilityTimeout:c}) is fetched again by every instance. Set PostgreSqlStorageOptions.UseSlidingInvisibilityTimeout = true."));
        }

        // Hangfire.PostgreSql breaks a lock older than DistributedLockTimeout, taking it for a dead holder's. The
        // report lock is held across the post to Scenario: broken then, a second delivery posts the status again.
        if (genericStoreReporting is not null && DistributedLockTimeout < TaskLocks.ReportLockTimeoutFor(genericStoreReporting))
        {
            var hold = TaskLocks.ReportLockTimeoutFor(genericStoreReporting);
            refusals.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Hangfire.PostgreSql runs with DistributedLockTimeout = {DistributedLockTimeout:c}, shorter than a task's report lock may be held while its status is posted (Scenario:Reporting:RequestTimeout {genericStoreReporting.RequestTimeout:c} + {TaskLocks.ReportLockMargin.TotalSeconds:0} s): another instance would break the lock and post the status again. Set PostgreSqlStorageOptions.DistributedLockTimeout to {hold:c} or more, lower Scenario:Reporting:RequestTimeout, or keep the task records in the PostgreSQL task store (Scenario:TaskStore:ConnectionString), whose report lease does not depend on it."));
        }

        return refusals;
    }

    private static object? Property(object target, string name)
        => target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target);
}
