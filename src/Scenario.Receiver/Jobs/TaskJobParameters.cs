using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;
using Scenario.Receiver.Reporting;

namespace Scenario.Receiver.Jobs;

/// <summary>
/// The task's ambient values, carried as a Hangfire job parameter rather than positional arguments (as
/// Hangfire's CaptureCulture and OpenTelemetry's Hangfire instrumentation carry theirs): every job of a
/// task, and every filter, reads them by name, and the jobs' signatures stay what the dashboard shows.
/// One parameter holds them all: each parameter is a row written when the job is created and a query when
/// it is read, and on PostgreSQL five of them cost five inserts per accept and ten reads per completed task
/// (measured, docs/benchmarks.md).
/// </summary>
internal static class TaskJobParameters
{
    /// <summary>The parameter's name: <c>{taskInstanceId, workflowInstanceId, statusUrl, traceParent, request}</c> as JSON.</summary>
    public const string Name = "Scenario.Task";

    // The fields, for a reader that wants one of them (Read(connection, jobId, field)).
    public const string TaskInstanceId = "taskInstanceId";
    public const string WorkflowInstanceId = "workflowInstanceId";
    public const string StatusUrl = "statusUrl";
    public const string TraceParent = "traceParent";

    /// <summary>The request snapshot (JSON): on the work job only, which shows it to the work.</summary>
    public const string Request = "request";

    /// <summary>Where a run keeps the parsed parameter, so its filters and the job read the storage once.</summary>
    private const string ParsedItem = "Scenario.Task.Parsed";

    /// <summary>The parameters a new job of the task is created with.</summary>
    public static Dictionary<string, object> For(string taskInstanceId, TaskAmbient ambient, string? requestSnapshot = null)
        => new(1, StringComparer.Ordinal)
        {
            [Name] = Serialize(new TaskJobData(taskInstanceId, ambient.WorkflowInstanceId, ambient.StatusUrl, ambient.TraceParent, requestSnapshot)),
        };

    public static TaskAmbient Read(PerformContext? context)
        => Parsed(context) is { } data ? new TaskAmbient(data.WorkflowInstanceId, data.StatusUrl, data.TraceParent) : TaskAmbient.None;

    public static string? ReadRequest(PerformContext? context) => Parsed(context)?.Request;

    public static string? ReadTaskInstanceId(PerformContext? context) => Parsed(context)?.TaskInstanceId;

    /// <summary>Reads them outside a run (a state filter), from the storage.</summary>
    public static TaskAmbient Read(IStorageConnection connection, string jobId)
        => Load(connection, jobId) is { } data ? new TaskAmbient(data.WorkflowInstanceId, data.StatusUrl, data.TraceParent) : TaskAmbient.None;

    /// <summary>One field, outside a run.</summary>
    public static string? Read(IStorageConnection connection, string jobId, string field)
        => Load(connection, jobId) is not { } data
            ? null
            : field switch
            {
                TaskInstanceId => data.TaskInstanceId,
                WorkflowInstanceId => data.WorkflowInstanceId,
                StatusUrl => data.StatusUrl,
                TraceParent => data.TraceParent,
                Request => data.Request,
                _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a field of the task's job parameter."),
            };

    /// <summary>For a client filter: the trace parent a job is being created with, if any.</summary>
    public static string? ReadTraceParent(CreatingContext context)
        => context.GetJobParameter<string>(Name) is { } json ? Deserialize(json)?.TraceParent : null;

    /// <summary>For a client filter: sets the trace parent of a job being created (creating the parameter if the creator set none).</summary>
    public static void WriteTraceParent(CreatingContext context, string traceParent)
    {
        var data = context.GetJobParameter<string>(Name) is { } json ? Deserialize(json) : null;
        data = (data ?? new TaskJobData(null, null, null, null, null)) with { TraceParent = traceParent };
        context.SetJobParameter(Name, Serialize(data));
    }

    private static TaskJobData? Parsed(PerformContext? context)
    {
        if (context is null)
        {
            return null;
        }

        if (context.Items.TryGetValue(ParsedItem, out var cached))
        {
            return cached as TaskJobData;
        }

        var data = context.GetJobParameter<string>(Name, allowStale: true) is { } json ? Deserialize(json) : null;
        context.Items[ParsedItem] = data;
        return data;
    }

    private static TaskJobData? Load(IStorageConnection connection, string jobId)
        => connection.GetJobParameter(jobId, Name) is { } raw && SerializationHelper.Deserialize<string>(raw) is { } json ? Deserialize(json) : null;

    private static string Serialize(TaskJobData data) => JsonSerializer.Serialize(data, ScenarioJsonContext.Default.TaskJobData);

    private static TaskJobData? Deserialize(string json) => JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.TaskJobData);
}

/// <summary>What a task's jobs know besides its id: its workflow, an allowed status URL, the trace it continues.</summary>
internal sealed record TaskAmbient(string? WorkflowInstanceId, string? StatusUrl, string? TraceParent)
{
    public static readonly TaskAmbient None = new(null, null, null);
}

/// <summary>The job parameter's JSON shape.</summary>
internal sealed record TaskJobData(
    [property: JsonPropertyName(TaskJobParameters.TaskInstanceId)] string? TaskInstanceId,
    [property: JsonPropertyName(TaskJobParameters.WorkflowInstanceId)] string? WorkflowInstanceId,
    [property: JsonPropertyName(TaskJobParameters.StatusUrl)] string? StatusUrl,
    [property: JsonPropertyName(TaskJobParameters.TraceParent)] string? TraceParent,
    [property: JsonPropertyName(TaskJobParameters.Request), JsonConverter(typeof(EmbeddedJsonConverter))] string? Request);
