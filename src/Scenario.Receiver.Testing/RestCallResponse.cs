using System.Net;

namespace Scenario.Receiver.Testing;

/// <summary>What a receiver answered to a <see cref="ScenarioRestCall"/>, with the ids the call carried.</summary>
public sealed class RestCallResponse
{
    internal RestCallResponse(
        HttpStatusCode statusCode,
        string taskInstanceId,
        string workflowInstanceId,
        string body,
        string? contentType,
        string? jobId)
    {
        StatusCode = statusCode;
        TaskInstanceId = taskInstanceId;
        WorkflowInstanceId = workflowInstanceId;
        Body = body;
        ContentType = contentType;
        JobId = jobId;
    }

    /// <summary>The status code the receiver answered, e.g. 202 Accepted for a long-running action.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The <c>X-Scenario-TaskInstanceId</c> the call carried: the one given, or the GUID generated for it.</summary>
    public string TaskInstanceId { get; }

    /// <summary>The <c>X-Scenario-WorkflowInstanceId</c> the call carried: the one given, or the GUID generated for it.</summary>
    public string WorkflowInstanceId { get; }

    /// <summary>The response body as text; empty when there was none.</summary>
    public string Body { get; }

    /// <summary>The response <c>Content-Type</c>, e.g. <c>application/json; charset=utf-8</c>; <see langword="null"/> without a body.</summary>
    public string? ContentType { get; }

    /// <summary>
    /// The <c>jobId</c> of a JSON object body such as the 202 answer <c>{"taskInstanceId":"…","jobId":"…"}</c>;
    /// <see langword="null"/> when the body has none.
    /// </summary>
    public string? JobId { get; }
}
