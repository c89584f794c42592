using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// A task store that forwards every call to the host's own store; a test overrides the members it watches (counts
/// reads) or holds (a storage that does not answer a write). <see cref="Decorate"/> puts one over a host's store.
/// </summary>
internal class DelegatingTaskStore(ITaskStore inner) : ITaskStore
{
    protected ITaskStore Inner { get; } = inner;

    /// <summary>Wraps the store the host registered (its own choice, or the test's) in <paramref name="wrap"/>.</summary>
    public static void Decorate(IServiceCollection services, Func<ITaskStore, ITaskStore> wrap)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ITaskStore));
        services.Remove(registered);
        services.AddSingleton(provider => wrap(registered switch
        {
            { ImplementationInstance: ITaskStore instance } => instance,
            { ImplementationFactory: { } factory } => (ITaskStore)factory(provider),
            _ => (ITaskStore)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
        }));
    }

    public string Name => Inner.Name;

    public string Description => Inner.Description;

    public bool InJobStorage => Inner.InJobStorage;

    public TimeSpan ReportLockTimeout => Inner.ReportLockTimeout;

    public virtual ValueTask<TaskAcceptance> AcceptAsync(string taskInstanceId, string entryKey, string? workflowInstanceId, string? statusUrl, string queue, Func<ValueTask<string>> createWorkJob, CancellationToken cancellationToken = default)
        => Inner.AcceptAsync(taskInstanceId, entryKey, workflowInstanceId, statusUrl, queue, createWorkJob, cancellationToken);

    public virtual ValueTask<TaskRecord?> FindAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.FindAsync(taskInstanceId, cancellationToken);

    public virtual ValueTask<TaskDecision> TryDecideAsync(string taskInstanceId, TaskOutcome outcome, TaskDecider decidedBy, CancellationToken cancellationToken = default)
        => Inner.TryDecideAsync(taskInstanceId, outcome, decidedBy, cancellationToken);

    public virtual ValueTask<IDecideLock> LockForDecideAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.LockForDecideAsync(taskInstanceId, cancellationToken);

    public virtual ValueTask<IReportLock> LockForReportAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.LockForReportAsync(taskInstanceId, cancellationToken);

    public virtual ValueTask<bool> TryBeginProgressAsync(string taskInstanceId, DateTimeOffset until, bool afterOwnWork, CancellationToken cancellationToken = default)
        => Inner.TryBeginProgressAsync(taskInstanceId, until, afterOwnWork, cancellationToken);

    public virtual ValueTask EndProgressAsync(string taskInstanceId, DateTimeOffset until, CancellationToken cancellationToken = default) => Inner.EndProgressAsync(taskInstanceId, until, cancellationToken);

    public ValueTask WriteReportJobAsync(string taskInstanceId, string reportJobId, CancellationToken cancellationToken = default) => Inner.WriteReportJobAsync(taskInstanceId, reportJobId, cancellationToken);

    public ValueTask MarkUndeliveredAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.MarkUndeliveredAsync(taskInstanceId, cancellationToken);

    public ValueTask<(long Undelivered, long Recovering, long Unreported)> CountWaitingAsync(CancellationToken cancellationToken = default) => Inner.CountWaitingAsync(cancellationToken);

    public virtual ValueTask<IReadOnlyList<string>> DueForSweepAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) => Inner.DueForSweepAsync(now, max, cancellationToken);

    public ValueTask ScheduleSweepAsync(string taskInstanceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Inner.ScheduleSweepAsync(taskInstanceId, at, cancellationToken);

    public void MarkDueForSweepDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId) => Inner.MarkDueForSweepDuringStateChange(context, transaction, taskInstanceId);

    public virtual ValueTask<IReadOnlyList<string>> DueForCancellationCheckAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) => Inner.DueForCancellationCheckAsync(now, max, cancellationToken);

    public ValueTask ScheduleCancellationCheckAsync(string taskInstanceId, DateTimeOffset? at, CancellationToken cancellationToken = default) => Inner.ScheduleCancellationCheckAsync(taskInstanceId, at, cancellationToken);

    public ValueTask MarkRecoveringAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.MarkRecoveringAsync(taskInstanceId, cancellationToken);

    public ValueTask ForgetAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.ForgetAsync(taskInstanceId, cancellationToken);

    public ValueTask<bool> IsDeferredAsync(string taskInstanceId, CancellationToken cancellationToken = default) => Inner.IsDeferredAsync(taskInstanceId, cancellationToken);

    public ValueTask<IDisposable> LockForSweepAsync() => Inner.LockForSweepAsync();

    public TaskRecord? FindDuringStateChange(ApplyStateContext context, string taskInstanceId) => Inner.FindDuringStateChange(context, taskInstanceId);

    public void WriteReportJobDuringStateChange(ApplyStateContext context, IWriteOnlyTransaction transaction, string taskInstanceId, string reportJobId)
        => Inner.WriteReportJobDuringStateChange(context, transaction, taskInstanceId, reportJobId);

    public ValueTask RemoveExpiredAsync(CancellationToken cancellationToken = default) => Inner.RemoveExpiredAsync(cancellationToken);

    public ValueTask<TaskListPage> ListAsync(TaskListFilter filter, int skip, int take, CancellationToken cancellationToken = default) => Inner.ListAsync(filter, skip, take, cancellationToken);

    public long CountUndeliveredForMenu() => Inner.CountUndeliveredForMenu();
}
