using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The task's ambient values, carried as Hangfire job parameters rather than positional arguments (as
/// Hangfire's CaptureCulture and OpenTelemetry's Hangfire instrumentation carry theirs): every job of a
/// task, and every filter, reads them by name, and the jobs' signatures stay what the dashboard shows.
/// </summary>
internal static class TaskJobParameters
{
    public const string TaskInstanceId = "Scenario.TaskInstanceId";
    public const string WorkflowInstanceId = "Scenario.WorkflowInstanceId";
    public const string StatusUrl = "Scenario.StatusUrl";
    public const string TraceParent = "Scenario.TraceParent";

    /// <summary>The request snapshot (JSON): on the work job only, which shows it to the work.</summary>
    public const string Request = "Scenario.Request";

    /// <summary>The parameters a new job of the task is created with (a null value is left out).</summary>
    public static Dictionary<string, object> For(string taskInstanceId, TaskAmbient ambient, string? requestSnapshot = null)
    {
        var parameters = new Dictionary<string, object>(5, StringComparer.Ordinal) { [TaskInstanceId] = taskInstanceId };
        AddIfSet(parameters, WorkflowInstanceId, ambient.WorkflowInstanceId);
        AddIfSet(parameters, StatusUrl, ambient.StatusUrl);
        AddIfSet(parameters, TraceParent, ambient.TraceParent);
        AddIfSet(parameters, Request, requestSnapshot);
        return parameters;
    }

    public static string? ReadRequest(PerformContext? context) => context?.GetJobParameter<string>(Request, allowStale: true);

    public static TaskAmbient Read(PerformContext? context)
        => context is null
            ? TaskAmbient.None
            : new TaskAmbient(
                context.GetJobParameter<string>(WorkflowInstanceId, allowStale: true),
                context.GetJobParameter<string>(StatusUrl, allowStale: true),
                context.GetJobParameter<string>(TraceParent, allowStale: true));

    /// <summary>Reads them outside a run (a state filter), from the storage.</summary>
    public static TaskAmbient Read(IStorageConnection connection, string jobId)
        => new(Read(connection, jobId, WorkflowInstanceId), Read(connection, jobId, StatusUrl), Read(connection, jobId, TraceParent));

    public static string? Read(IStorageConnection connection, string jobId, string name)
        => connection.GetJobParameter(jobId, name) is { } raw ? SerializationHelper.Deserialize<string>(raw) : null;

    private static void AddIfSet(Dictionary<string, object> parameters, string name, string? value)
    {
        if (value is not null)
        {
            parameters[name] = value;
        }
    }
}

/// <summary>What a task's jobs know besides its id: its workflow, an allowed status URL, the trace it continues.</summary>
internal sealed record TaskAmbient(string? WorkflowInstanceId, string? StatusUrl, string? TraceParent)
{
    public static readonly TaskAmbient None = new(null, null, null);
}
