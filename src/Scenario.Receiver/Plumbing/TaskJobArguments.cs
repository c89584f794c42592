using Hangfire;
using Hangfire.Common;
using Hangfire.Storage;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// The task a job of the library's belongs to, read from the job's own arguments: every task job (the work, the report,
/// the deadline, and the per-task cancellation check of earlier versions) takes it as its <c>taskInstanceId</c> argument,
/// so job storage holds it there once, and the job parameter need not hold it a second time (docs/benchmarks.md). A state
/// filter and a run have the job loaded already: reading it costs no round trip to the storage.
/// </summary>
internal static class TaskJobArguments
{
    /// <summary>Where the library's Hangfire job classes live: the storage knows them by that name.</summary>
    private const string JobsNamespace = "Scenario.Receiver.Jobs";

    private const string TaskInstanceIdArgument = "taskInstanceId";

    /// <summary>The task of one of the library's jobs, or null for any other job (an application's own, the sweeper's).</summary>
    public static string? TaskInstanceIdOf(Job? job)
    {
        if (job is null || job.Type.Namespace != JobsNamespace || job.Type.Assembly != typeof(TaskJobArguments).Assembly)
        {
            return null;
        }

        var parameters = job.Method.GetParameters();
        for (var i = 0; i < parameters.Length && i < job.Args.Count; i++)
        {
            if (parameters[i].Name == TaskInstanceIdArgument)
            {
                return job.Args[i] as string;
            }
        }

        return null;
    }

    /// <summary>
    /// The task of a job whose state changes: from its arguments; from its job parameter only when Hangfire could not
    /// load the job (its arguments unreadable), where jobs made before this version carry the task's id too.
    /// </summary>
    public static string? TaskInstanceIdOf(BackgroundJob job, IStorageConnection connection)
        => job.Job is null ? TaskJobParameters.ReadLegacyTaskInstanceId(connection, job.Id) : TaskInstanceIdOf(job.Job);
}
