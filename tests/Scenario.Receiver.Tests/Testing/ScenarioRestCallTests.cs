using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Testing;

public sealed class ScenarioRestCallTests : IAsyncLifetime
{
    private static int _echoCount;

    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        _app = builder.Build();
        _app.Run(AnswerAsync);
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static int EchoCount => Volatile.Read(ref _echoCount);

    [Fact]
    public void Constructor_NullHttpClient_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new ScenarioRestCall(null!));
    }

    [Fact]
    public async Task PostAsync_EmptyRequestUri_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new ScenarioRestCall(_client).PostAsync("", body: null));
    }

    [Fact]
    public async Task PostAsync_NoIdsGiven_SendsNewGuidsAndNoStatusUrl()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/echo", new { Name = "x" });

        var echo = Parse(response.Body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Guid.TryParse(response.TaskInstanceId, out _));
        Assert.True(Guid.TryParse(response.WorkflowInstanceId, out _));
        Assert.NotEqual(response.TaskInstanceId, response.WorkflowInstanceId);
        Assert.Equal(response.TaskInstanceId, Header(echo, "X-Scenario-TaskInstanceId"));
        Assert.Equal(response.WorkflowInstanceId, Header(echo, "X-Scenario-WorkflowInstanceId"));
        Assert.Null(Header(echo, "X-Scenario-TaskStatusUrl"));
    }

    [Fact]
    public async Task PostAsync_TwoCalls_UseDifferentTaskInstanceIds()
    {
        var restCall = new ScenarioRestCall(_client);

        var first = await restCall.PostAsync("/echo", new { });
        var second = await restCall.PostAsync("/echo", new { });

        Assert.NotEqual(first.TaskInstanceId, second.TaskInstanceId);
    }

    [Fact]
    public async Task PostAsync_IdsAndStatusUrlGiven_SendsThemVerbatim()
    {
        var response = await new ScenarioRestCall(_client).PostAsync(
            "/echo",
            new { },
            taskInstanceId: "364e21c2-25bf-497d-9583-3d359e7cbf91",
            workflowInstanceId: "wf-1",
            taskStatusUrl: "https://scenario.example/taskstatus/api/task-statuses");

        var echo = Parse(response.Body);
        Assert.Equal("364e21c2-25bf-497d-9583-3d359e7cbf91", response.TaskInstanceId);
        Assert.Equal("wf-1", response.WorkflowInstanceId);
        Assert.Equal("364e21c2-25bf-497d-9583-3d359e7cbf91", Header(echo, "X-Scenario-TaskInstanceId"));
        Assert.Equal("wf-1", Header(echo, "X-Scenario-WorkflowInstanceId"));
        Assert.Equal("https://scenario.example/taskstatus/api/task-statuses", Header(echo, "X-Scenario-TaskStatusUrl"));
        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal("/echo", echo.GetProperty("path").GetString());
    }

    [Fact]
    public async Task PostAsync_MalformedTaskInstanceId_ReachesTheReceiverUnchanged()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/echo", new { }, taskInstanceId: "not a guid; really");

        Assert.Equal("not a guid; really", Header(Parse(response.Body), "X-Scenario-TaskInstanceId"));
    }

    [Fact]
    public async Task PostAsync_Body_SentAsCamelCaseJson()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/echo", new { OrderId = 42, CustomerName = "Ada" });

        var echo = Parse(response.Body);
        Assert.Equal("""{"orderId":42,"customerName":"Ada"}""", echo.GetProperty("body").GetString());
        Assert.Equal("application/json; charset=utf-8", Header(echo, "Content-Type"));
        Assert.Equal("35", Header(echo, "Content-Length"));
    }

    [Fact]
    public async Task PostAsync_NullBody_SendsNoBody()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/echo", body: null);

        var echo = Parse(response.Body);
        Assert.Equal("", echo.GetProperty("body").GetString());
        Assert.Null(Header(echo, "Content-Type"));
    }

    [Fact]
    public async Task PostAsync_AcceptedAnswer_ParsesJobIdAndKeepsBody()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/accepted", new { }, taskInstanceId: "task-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("job-7", response.JobId);
        Assert.Equal("task-1", response.TaskInstanceId);
        Assert.Equal("""{"taskInstanceId":"task-1","jobId":"job-7"}""", response.Body);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
    }

    [Fact]
    public async Task PostAsync_NumericJobId_KeepsItsText()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/numeric-job", new { });

        Assert.Equal("12345", response.JobId);
    }

    [Theory]
    [InlineData("/text")]
    [InlineData("/echo")]
    [InlineData("/empty")]
    public async Task PostAsync_AnswerWithoutJobId_JobIdIsNull(string path)
    {
        var response = await new ScenarioRestCall(_client).PostAsync(path, new { });

        Assert.Null(response.JobId);
    }

    [Fact]
    public async Task PostAsync_EmptyAnswer_HasNoContentTypeAndEmptyBody()
    {
        var response = await new ScenarioRestCall(_client).PostAsync("/empty", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("", response.Body);
        Assert.Null(response.ContentType);
    }

    [Fact]
    public async Task PostAsync_RealKestrelServer_HeadersAndBodyArriveOnTheWire()
    {
        // The stand-in records any request, so it doubles as a real Kestrel server that shows what went over the socket.
        await using var server = await ScenarioStandIn.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseUrl };

        var response = await new ScenarioRestCall(client).PostAsync(
            "orders/import",
            new { Count = 3 },
            workflowInstanceId: "wf-9",
            taskStatusUrl: server.TaskStatusesUrl.ToString());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var recorded = Assert.Single(server.Requests);
        Assert.Equal("POST", recorded.Method);
        Assert.Equal("/orders/import", recorded.Path);
        Assert.Equal("""{"count":3}""", recorded.Body);
        Assert.Equal(response.TaskInstanceId, recorded.Headers["x-scenario-taskinstanceid"]);
        Assert.Equal("wf-9", recorded.Headers["x-scenario-workflowinstanceid"]);
        Assert.Equal(server.TaskStatusesUrl.ToString(), recorded.Headers["x-scenario-taskstatusurl"]);
        Assert.Equal("application/json; charset=utf-8", recorded.Headers["content-type"]);
    }

    [Fact]
    public async Task PostAsync_ExtraHeaders_SentOnThatRequestOnly()
    {
        var restCall = new ScenarioRestCall(_client);

        var withHeaders = await restCall.PostAsync(
            "/echo",
            new { },
            headers: new Dictionary<string, string> { ["X-Tenant"] = "tenant-7", ["X-Api-Key"] = "users-own-key" });
        var without = await restCall.PostAsync("/echo", new { });

        Assert.Equal("tenant-7", Header(Parse(withHeaders.Body), "X-Tenant"));
        Assert.Equal("users-own-key", Header(Parse(withHeaders.Body), "X-Api-Key"));
        Assert.Equal(withHeaders.TaskInstanceId, Header(Parse(withHeaders.Body), "X-Scenario-TaskInstanceId"));
        Assert.Null(Header(Parse(without.Body), "X-Tenant"));
        Assert.Null(Header(Parse(without.Body), "X-Api-Key"));
        Assert.Empty(_client.DefaultRequestHeaders);
    }

    [Fact]
    public async Task PostAsync_ExtraAuthorizationHeader_SentUnchanged()
    {
        var response = await new ScenarioRestCall(_client).PostAsync(
            "/echo",
            new { },
            headers: [new("Authorization", "Bearer users-token")]);

        Assert.Equal("Bearer users-token", Header(Parse(response.Body), "Authorization"));
    }

    [Fact]
    public async Task PostAsync_ExtraContentTypeHeader_ReplacesTheBodysOwn()
    {
        var response = await new ScenarioRestCall(_client).PostAsync(
            "/echo",
            new { },
            headers: [new("Content-Type", "application/vnd.orders+json")]);

        Assert.Equal("application/vnd.orders+json", Header(Parse(response.Body), "Content-Type"));
    }

    [Fact]
    public async Task PostAsync_ExtraContentHeaderWithoutBody_Throws()
    {
        var exception = await Assert.ThrowsAsync<ArgumentException>(() => new ScenarioRestCall(_client).PostAsync(
            "/echo",
            body: null,
            headers: [new("Content-Type", "application/json")]));

        Assert.Equal("The Content-Type header describes a body, and this call sends none. (Parameter 'headers')", exception.Message);
    }

    [Theory]
    [InlineData("X-Scenario-TaskInstanceId")]
    [InlineData("x-scenario-workflowinstanceid")]
    [InlineData("X-Scenario-TaskStatusUrl")]
    public async Task PostAsync_ExtraScenarioHeader_ThrowsAndSendsNothing(string name)
    {
        var before = EchoCount;

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => new ScenarioRestCall(_client).PostAsync(
            "/echo",
            new { },
            headers: [new(name, "x")]));

        Assert.Equal($"The {name} header is set through the PostAsync parameter of its own, not through headers. (Parameter 'headers')", exception.Message);
        Assert.Equal(before, EchoCount);
    }

    [Fact]
    public void HeaderNames_AreScenarios()
    {
        Assert.Equal("X-Scenario-TaskInstanceId", ScenarioRestCall.TaskInstanceIdHeaderName);
        Assert.Equal("X-Scenario-WorkflowInstanceId", ScenarioRestCall.WorkflowInstanceIdHeaderName);
        Assert.Equal("X-Scenario-TaskStatusUrl", ScenarioRestCall.TaskStatusUrlHeaderName);
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case "/accepted":
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                context.Response.ContentType = "application/json; charset=utf-8";
                var taskInstanceId = context.Request.Headers["X-Scenario-TaskInstanceId"].ToString();
                await context.Response.WriteAsync($$"""{"taskInstanceId":"{{taskInstanceId}}","jobId":"job-7"}""");
                break;
            case "/numeric-job":
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"JobId":12345}""");
                break;
            case "/text":
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("jobId: not json");
                break;
            case "/empty":
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                break;
            default:
                await EchoAsync(context);
                break;
        }
    }

    private static async Task EchoAsync(HttpContext context)
    {
        Interlocked.Increment(ref _echoCount);
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var echo = new Dictionary<string, object>
        {
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value ?? "",
            ["body"] = body,
            ["headers"] = context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString()),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(echo));
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string? Header(JsonElement echo, string name) =>
        echo.GetProperty("headers").TryGetProperty(name.ToLowerInvariant(), out var value) ? value.GetString() : null;
}
