using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Context;

public sealed class ScenarioTaskContextMiddlewareTests : IAsyncLifetime
{
    private ScenarioStandIn _scenario = null!;
    private ReceiverTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ScenarioStandIn.StartAsync();
        _host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, _scenario, [typeof(ContextEchoController)], runHangfireServer: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task Request_WithScenarioHeaders_PutsThemInTheScopedContext()
    {
        var taskId = TestData.NewTaskId();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, taskId);
        request.Headers.Add(ScenarioHeaderNames.WorkflowInstanceId, "wf-42");
        request.Headers.Add(ScenarioHeaderNames.TaskStatusUrl, "https://scenario.example.com/taskstatus/api/task-statuses");

        using var response = await _host.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(taskId, body.GetProperty("taskInstanceId").GetString());
        Assert.Equal("wf-42", body.GetProperty("workflowInstanceId").GetString());
        Assert.Equal("https://scenario.example.com/taskstatus/api/task-statuses", body.GetProperty("statusUrl").GetString());
        Assert.True(body.GetProperty("isScenarioTask").GetBoolean());
    }

    [Fact]
    public async Task Request_WithoutScenarioHeaders_PassesThroughWithAnEmptyContext()
    {
        using var response = await _host.Client.GetAsync("/echo");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("taskInstanceId").ValueKind);
        Assert.False(body.GetProperty("isScenarioTask").GetBoolean());
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("364e21c2-25bf-497d-9583")]
    [InlineData("{364e21c2-25bf-497d-9583-3d359e7cbf91}")]
    public async Task Request_WithMalformedTaskId_Answers400ProblemNamingTheHeader(string taskId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.TryAddWithoutValidation(ScenarioHeaderNames.TaskInstanceId, taskId);

        using var response = await _host.Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Invalid X-Scenario-TaskInstanceId header", problem.GetProperty("title").GetString());
        Assert.Equal("The X-Scenario-TaskInstanceId header must be a GUID such as 364e21c2-25bf-497d-9583-3d359e7cbf91.", problem.GetProperty("detail").GetString());
        Assert.Equal(ScenarioHeaderNames.TaskInstanceId, problem.GetProperty("header").GetString());
    }

    [Fact]
    public async Task Request_WithTaskIdTwice_Answers400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.TryAddWithoutValidation(ScenarioHeaderNames.TaskInstanceId, [TestData.NewTaskId(), TestData.NewTaskId()]);

        using var response = await _host.Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The X-Scenario-TaskInstanceId header must appear once; it appeared 2 times.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Request_WithMalformedWorkflowId_Answers400NamingThatHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());
        request.Headers.TryAddWithoutValidation(ScenarioHeaderNames.WorkflowInstanceId, new string('w', 129));

        using var response = await _host.Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ScenarioHeaderNames.WorkflowInstanceId, problem.GetProperty("header").GetString());
    }
}
