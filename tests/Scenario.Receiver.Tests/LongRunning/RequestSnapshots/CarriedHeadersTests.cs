using Hangfire.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Tests.LongRunning.RequestSnapshots;

/// <summary>
/// The snapshot leaves out what the task carries anyway, and the work still sees it: <c>Host</c> from its own field,
/// the task's id headers from the task. It travels in the job parameter as JSON, not as an escaped string, and a
/// parameter written in the older escaped form still reads.
/// </summary>
public sealed class CarriedHeadersTests
{
    private const string TaskId = "364e21c2-25bf-497d-9583-3d359e7cbf91";

    [Fact]
    public void Snapshot_HoldsNeitherHostContentLengthNorTheTaskIds_YetTheWorkSeesHostAndIds()
    {
        var snapshot = Capture(includeHeaders: true);

        Assert.DoesNotContain("\"Host\":[", snapshot, StringComparison.Ordinal); // the header; the field "host" stays
        Assert.DoesNotContain("Content-Length", snapshot, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TaskId, snapshot, StringComparison.Ordinal);
        Assert.Contains("X-Tenant", snapshot, StringComparison.Ordinal);

        var restored = Restore(snapshot);
        Assert.Equal("receiver.example:8443", restored.Headers.Host);
        Assert.Equal(TaskId, restored.Headers["X-Scenario-TaskInstanceId"]);
        Assert.Equal("wf-7", restored.Headers["X-Scenario-WorkflowInstanceId"]);
        Assert.Equal("acme", restored.Headers["X-Tenant"]);
        Assert.Equal("application/json", restored.ContentType);
        Assert.Null(restored.ContentLength); // the job has no body
    }

    [Fact]
    public void WithHeadersSwitchedOff_TheWorkSeesNoTaskIdHeadersEither()
    {
        var restored = Restore(Capture(includeHeaders: false));

        Assert.False(restored.Headers.ContainsKey("X-Scenario-TaskInstanceId"));
        Assert.False(restored.Headers.ContainsKey("X-Tenant"));
    }

    [Fact]
    public void JobParameter_IsStoredAsItsJsonObject_AndTheOlderEscapedFormsStillRead()
    {
        var snapshot = Capture(includeHeaders: true);
        var stored = Stored(TaskJobParameters.For("wf-7", snapshot));

        // As Hangfire stores it: the object itself, the snapshot in it, no quote escaped.
        Assert.StartsWith("{\"request\":{\"method\":\"POST\"", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\\\"", stored, StringComparison.Ordinal);
        Assert.Equal(snapshot, TaskJobParameters.FromStored(stored)!.Request);

        // The version before: the object as a JSON string, the snapshot embedded in it.
        var earlier = $"{{\"taskInstanceId\":\"{TaskId}\",\"request\":{snapshot},\"workflowInstanceId\":\"wf-7\"}}";
        Assert.Equal(snapshot, TaskJobParameters.FromStored(SerializationHelper.Serialize(earlier))!.Request);
        Assert.Equal(TaskId, TaskJobParameters.FromStored(SerializationHelper.Serialize(earlier))!.TaskInstanceId);

        // Older still: the snapshot itself a string inside that string.
        var older = $"{{\"taskInstanceId\":\"{TaskId}\",\"request\":{System.Text.Json.JsonSerializer.Serialize(snapshot)}}}";
        Assert.Equal(snapshot, TaskJobParameters.FromStored(SerializationHelper.Serialize(older))!.Request);
    }

    [Fact]
    public void JobParameter_DoesNotRepeatTheTaskIdOfTheJobsArguments_AndIsLeftOutWithNothingToCarry()
    {
        var stored = Stored(TaskJobParameters.For("wf-7", Capture(includeHeaders: true)));

        Assert.DoesNotContain("taskInstanceId", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(TaskId, stored, StringComparison.Ordinal);
        Assert.EndsWith(",\"workflowInstanceId\":\"wf-7\"}", stored, StringComparison.Ordinal);
        // No trace to continue (no activity here), no snapshot, no workflow: the job has no parameter at all.
        Assert.Null(System.Diagnostics.Activity.Current);
        Assert.Empty(TaskJobParameters.For(workflowInstanceId: null));
    }

    /// <summary>The parameter's value as Hangfire's client stores it (BackgroundJobFactory's serialization of each parameter).</summary>
    private static string Stored(Dictionary<string, object> parameters)
        => SerializationHelper.Serialize(parameters[TaskJobParameters.Name], SerializationOption.User);

    private static string Capture(bool includeHeaders)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("receiver.example", 8443);
        context.Request.Path = "/work";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = 97;
        context.Request.Headers["X-Scenario-TaskInstanceId"] = TaskId;
        context.Request.Headers["X-Scenario-WorkflowInstanceId"] = "wf-7";
        context.Request.Headers["X-Tenant"] = "acme";
        var options = new ScenarioReceiverOptions();
        options.RequestSnapshot.IncludeHeaders = includeHeaders;
        return new RequestSnapshotCapture(Options.Create(options)).Capture(context);
    }

    private static HttpRequest Restore(string snapshot)
    {
        var task = new ScenarioTaskContext();
        task.Capture(TaskId, "wf-7", null);
        var context = new DefaultHttpContext();
        RequestSnapshotRestore.Apply(context, snapshot, task);
        return context.Request;
    }
}
