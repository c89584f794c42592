using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;
using Newtonsoft.Json.Linq;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// What belongs to one run of a task's job, carried as a Hangfire job parameter rather than positional arguments (as
/// Hangfire's CaptureCulture and OpenTelemetry's Hangfire instrumentation carry theirs): the trace it continues and, on the
/// work job, the request snapshot; and its workflow, for Hangfire's job page to show (no code reads it back: the task's
/// facts, its workflow and status URL, are in its record). A job with none of them has no parameter at all. The task's id
/// is the job's own argument (<see cref="TaskJobArguments"/>), not copied here: a pending task holds its parameter in job
/// storage (docs/benchmarks.md). One parameter holds them all: each parameter is a row written when the job is created and
/// a query when it is read, and on PostgreSQL five of them cost five inserts per accept and ten reads per completed task
/// (measured, docs/benchmarks.md).
/// </summary>
/// <remarks>
/// The parameter is stored as its JSON object, not as a JSON string of it: Hangfire serializes a parameter's value, and
/// a string would have every quote of the object (and of the request snapshot in it) escaped once more.
/// Jobs created by earlier versions carry that string form, with the task's id in it too, and some the status URL, which
/// the record did not keep then: each reader takes both forms; <see cref="ReadLegacyStatusUrl(PerformContext)"/> reads the
/// status URL for them, and <see cref="ReadLegacyTaskInstanceId"/> the task's id of a job Hangfire cannot load.
/// </remarks>
internal static class TaskJobParameters
{
    /// <summary>The parameter's name: <c>{traceParent, request, workflowInstanceId}</c> as JSON.</summary>
    public const string Name = "Scenario.Task";

    // The fields.
    public const string TraceParent = "traceParent";

    /// <summary>The request snapshot (JSON): on the work job only, which shows it to the work.</summary>
    public const string Request = "request";

    /// <summary>For Hangfire's job page only.</summary>
    public const string WorkflowInstanceId = "workflowInstanceId";

    /// <summary>Written by earlier versions only: the task's id, which is the job's argument.</summary>
    public const string LegacyTaskInstanceId = "taskInstanceId";

    /// <summary>Written by earlier versions only: the allowed status URL, before the record kept it.</summary>
    public const string LegacyStatusUrl = "statusUrl";

    /// <summary>Where a run keeps the parsed parameter, so its filters and the job read the storage once.</summary>
    private const string ParsedItem = "Scenario.Task.Parsed";

    /// <summary>
    /// The parameters a new job of a task is created with: none when there is nothing to carry; the trace is added by
    /// <see cref="ContinueScenarioTraceAttribute"/> when the job is created.
    /// </summary>
    public static Dictionary<string, object> For(string? workflowInstanceId, string? requestSnapshot = null)
    {
        var data = new TaskJobData(System.Diagnostics.Activity.Current?.Id, requestSnapshot) { WorkflowInstanceId = workflowInstanceId };
        var parameters = new Dictionary<string, object>(1, StringComparer.Ordinal);
        if (data.TraceParent is not null || data.Request is not null || data.WorkflowInstanceId is not null)
        {
            parameters[Name] = AsStored(data);
        }

        return parameters;
    }

    public static string? ReadTraceParent(PerformContext? context) => Parsed(context)?.TraceParent;

    public static string? ReadRequest(PerformContext? context) => Parsed(context)?.Request;

    /// <summary>The status URL a job made by an earlier version carries (checked against the allow-list when it was accepted).</summary>
    public static string? ReadLegacyStatusUrl(PerformContext? context) => Parsed(context)?.StatusUrl;

    /// <summary>The task's id a job made by an earlier version carries, from the storage: for a job Hangfire cannot load.</summary>
    public static string? ReadLegacyTaskInstanceId(IStorageConnection connection, string jobId) => Load(connection, jobId)?.TaskInstanceId;

    /// <summary>The status URL a job made by an earlier version carries, outside a run (the sweeper).</summary>
    public static string? ReadLegacyStatusUrl(IStorageConnection connection, string jobId) => Load(connection, jobId)?.StatusUrl;

    /// <summary>For a client filter: the trace parent a job is being created with, if any.</summary>
    public static string? ReadTraceParent(CreatingContext context) => Creating(context)?.TraceParent;

    /// <summary>For a client filter: sets the trace parent of a job being created (creating the parameter if the creator set none).</summary>
    public static void WriteTraceParent(CreatingContext context, string traceParent)
        => context.SetJobParameter(Name, AsStored((Creating(context) ?? new TaskJobData(null, null)) with { TraceParent = traceParent }));

    /// <summary>
    /// The value Hangfire stores as the parameter: JSON that Hangfire's serializer (Json.NET) writes as it is, so the
    /// stored parameter is the object itself rather than a string that escapes it.
    /// </summary>
    private static JRaw AsStored(TaskJobData data) => new(Serialize(data));

    /// <summary>The parameter of a job being created, as its creator set it (the stored form, or text: a creator of an earlier version).</summary>
    private static TaskJobData? Creating(CreatingContext context)
        => context.Parameters.TryGetValue(Name, out var value) ? value switch
        {
            JRaw { Value: string json } => Deserialize(json),
            string json => Deserialize(json),
            _ => null,
        } : null;

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

        // As PerformContext.GetJobParameter(allowStale: true) reads, without its deserialization to one type: the value is
        // stored in one of two forms.
        string? stored;
        if (context.BackgroundJob.ParametersSnapshot is { } snapshot)
        {
            snapshot.TryGetValue(Name, out stored);
        }
        else
        {
            stored = context.Connection.GetJobParameter(context.BackgroundJob.Id, Name);
        }

        var data = FromStored(stored);
        context.Items[ParsedItem] = data;
        return data;
    }

    private static TaskJobData? Load(IStorageConnection connection, string jobId) => FromStored(connection.GetJobParameter(jobId, Name));

    /// <summary>The parameter as stored: its JSON object, or (jobs of earlier versions) a JSON string holding it.</summary>
    internal static TaskJobData? FromStored(string? stored)
        => stored is null ? null
            : stored.StartsWith('"') ? SerializationHelper.Deserialize<string>(stored) is { } json ? Deserialize(json) : null
            : Deserialize(stored);

    private static string Serialize(TaskJobData data) => JsonSerializer.Serialize(data, JobParameterJsonContext.Default.TaskJobData);

    private static TaskJobData? Deserialize(string json) => JsonSerializer.Deserialize(json, JobParameterJsonContext.Default.TaskJobData);
}

/// <summary>The job parameter's JSON shape; the task's id and status URL are read (from jobs of earlier versions), never written.</summary>
internal sealed record TaskJobData(
    [property: JsonPropertyName(TaskJobParameters.TraceParent)] string? TraceParent,
    [property: JsonPropertyName(TaskJobParameters.Request), JsonConverter(typeof(EmbeddedJsonConverter))] string? Request)
{
    [JsonPropertyName(TaskJobParameters.WorkflowInstanceId)]
    public string? WorkflowInstanceId { get; init; }

    [JsonPropertyName(TaskJobParameters.LegacyTaskInstanceId)]
    public string? TaskInstanceId { get; init; }

    [JsonPropertyName(TaskJobParameters.LegacyStatusUrl)]
    public string? StatusUrl { get; init; }
}
