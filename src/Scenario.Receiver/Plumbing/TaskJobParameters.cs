using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// What belongs to one run of a task's job, carried as a Hangfire job parameter rather than positional arguments (as
/// Hangfire's CaptureCulture and OpenTelemetry's Hangfire instrumentation carry theirs): the task's id, the trace it
/// continues and, on the work job, the request snapshot; and its workflow, for the dashboard to show (no code reads it
/// back). The task's facts (its workflow, its status URL) are in its record. One parameter holds them all: each parameter is a row written when the job is created and a query when it
/// is read, and on PostgreSQL five of them cost five inserts per accept and ten reads per completed task (measured,
/// docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Jobs created by an earlier version carry the workflow and the status URL here too, and no status URL in the record:
/// <see cref="ReadLegacyStatusUrl(PerformContext)"/> reads it for them.
/// </remarks>
internal static class TaskJobParameters
{
    /// <summary>The parameter's name: <c>{taskInstanceId, workflowInstanceId, traceParent, request}</c> as JSON.</summary>
    public const string Name = "Scenario.Task";

    // The fields.
    public const string TaskInstanceId = "taskInstanceId";
    public const string TraceParent = "traceParent";

    /// <summary>The request snapshot (JSON): on the work job only, which shows it to the work.</summary>
    public const string Request = "request";

    /// <summary>For the dashboard only.</summary>
    public const string WorkflowInstanceId = "workflowInstanceId";

    /// <summary>Written by earlier versions only: the allowed status URL, before the record kept it.</summary>
    public const string LegacyStatusUrl = "statusUrl";

    /// <summary>Where a run keeps the parsed parameter, so its filters and the job read the storage once.</summary>
    private const string ParsedItem = "Scenario.Task.Parsed";

    /// <summary>The parameters a new job of the task is created with; the trace is added by <see cref="ContinueScenarioTraceAttribute"/>.</summary>
    public static Dictionary<string, object> For(string taskInstanceId, string? workflowInstanceId, string? requestSnapshot = null)
        => new(1, StringComparer.Ordinal)
        {
            [Name] = Serialize(new TaskJobData(taskInstanceId, System.Diagnostics.Activity.Current?.Id, requestSnapshot) { WorkflowInstanceId = workflowInstanceId }),
        };

    public static string? ReadTraceParent(PerformContext? context) => Parsed(context)?.TraceParent;

    public static string? ReadRequest(PerformContext? context) => Parsed(context)?.Request;

    public static string? ReadTaskInstanceId(PerformContext? context) => Parsed(context)?.TaskInstanceId;

    /// <summary>The status URL a job made by an earlier version carries (checked against the allow-list when it was accepted).</summary>
    public static string? ReadLegacyStatusUrl(PerformContext? context) => Parsed(context)?.StatusUrl;

    /// <summary>The task of a job, outside a run (a state filter), from the storage.</summary>
    public static string? ReadTaskInstanceId(IStorageConnection connection, string jobId) => Load(connection, jobId)?.TaskInstanceId;

    /// <summary>The status URL a job made by an earlier version carries, outside a run (the sweeper).</summary>
    public static string? ReadLegacyStatusUrl(IStorageConnection connection, string jobId) => Load(connection, jobId)?.StatusUrl;

    /// <summary>For a client filter: the trace parent a job is being created with, if any.</summary>
    public static string? ReadTraceParent(CreatingContext context)
        => context.GetJobParameter<string>(Name) is { } json ? Deserialize(json)?.TraceParent : null;

    /// <summary>For a client filter: sets the trace parent of a job being created (creating the parameter if the creator set none).</summary>
    public static void WriteTraceParent(CreatingContext context, string traceParent)
    {
        var data = context.GetJobParameter<string>(Name) is { } json ? Deserialize(json) : null;
        data = (data ?? new TaskJobData(null, null, null)) with { TraceParent = traceParent };
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

    private static string Serialize(TaskJobData data) => JsonSerializer.Serialize(data, JobParameterJsonContext.Default.TaskJobData);

    private static TaskJobData? Deserialize(string json) => JsonSerializer.Deserialize(json, JobParameterJsonContext.Default.TaskJobData);
}

/// <summary>The job parameter's JSON shape; the status URL is read (from jobs of earlier versions), never written.</summary>
internal sealed record TaskJobData(
    [property: JsonPropertyName(TaskJobParameters.TaskInstanceId)] string? TaskInstanceId,
    [property: JsonPropertyName(TaskJobParameters.TraceParent)] string? TraceParent,
    [property: JsonPropertyName(TaskJobParameters.Request), JsonConverter(typeof(EmbeddedJsonConverter))] string? Request)
{
    [JsonPropertyName(TaskJobParameters.WorkflowInstanceId)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkflowInstanceId { get; init; }

    [JsonPropertyName(TaskJobParameters.LegacyStatusUrl)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusUrl { get; init; }
}
