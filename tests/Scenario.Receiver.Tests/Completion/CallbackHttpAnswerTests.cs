using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Completion;

/// <summary>
/// A callback endpoint answered in one call, <see cref="ScenarioCompletionResult.ToHttpResult"/>: the same answers from
/// a minimal-API handler and from an MVC action that returns the <see cref="IResult"/>.
/// </summary>
public sealed class CallbackHttpAnswerTests : StandInTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Entries => new() { "/minimal-callbacks", "/mvc-callbacks" };

    private Task<ReceiverTestHost> StartAsync()
        => ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(DeferringController), typeof(CallbackController)], map: MapMinimalCallbacks);

    private static void MapMinimalCallbacks(WebApplication app)
    {
        app.MapPost("/minimal-callbacks/{taskInstanceId}", async (string taskInstanceId, IScenarioTaskCompletion tasks, CancellationToken cancellationToken)
            => (await tasks.CompleteAsync(taskInstanceId, new { by = "minimal" }, cancellationToken: cancellationToken)).ToHttpResult());
        app.MapPost("/minimal-callbacks/known/{taskInstanceId}", async (string taskInstanceId, IScenarioTaskCompletion tasks, CancellationToken cancellationToken)
            => await tasks.IsKnownAsync(taskInstanceId, cancellationToken)
                ? (await tasks.CompleteAsync(taskInstanceId, new { by = "minimal" }, cancellationToken: cancellationToken)).ToHttpResult()
                : ScenarioResults.UnknownTask(taskInstanceId));
    }

    private static async Task<string> DeferAsync(ReceiverTestHost host)
    {
        var call = await host.RestCall.PostAsync("/deferring/defer/60000", null);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return call.TaskInstanceId;
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public async Task Callback_DecidingTheTask_Answers200WithTheTaskId(string entry)
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host);

        using var response = await host.Client.PostAsync($"{entry}/{taskInstanceId}", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(taskInstanceId, body.GetProperty("taskInstanceId").GetString());
        Assert.True(body.GetProperty("decided").GetBoolean());
        var status = await Scenario.WaitForTerminalStatusAsync(taskInstanceId, Timeout);
        Assert.Equal("Completed", status.Status);
        Assert.Equal(entry == "/mvc-callbacks" ? "mvc" : "minimal", status.OutputValues["by"]);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public async Task Callback_ToATaskWithAnOutcome_Answers409ProblemNamingThePriorOutcome(string entry)
    {
        await using var host = await StartAsync();
        var taskInstanceId = await DeferAsync(host);
        using var first = await host.Client.PostAsync($"{entry}/{taskInstanceId}", null);

        using var second = await host.Client.PostAsync($"{entry}/{taskInstanceId}", null);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The Scenario task already has an outcome", problem.GetProperty("title").GetString());
        Assert.Equal($"Task {taskInstanceId} already had an outcome (Completed); this one was not recorded.", problem.GetProperty("detail").GetString());
        Assert.Equal("Completed", problem.GetProperty("priorOutcome").GetString());
        Assert.Equal(taskInstanceId, problem.GetProperty("taskInstanceId").GetString());
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public async Task Callback_IdThatIsNotATaskId_Answers404ProblemWithoutEchoingIt(string entry)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.PostAsync($"{entry}/{Uri.EscapeDataString("<script>alert(1)</script>")}", null);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Unknown Scenario task", problem.GetProperty("title").GetString());
        Assert.Equal(
            "The id is not a Scenario task instance id (Scenario issues GUIDs such as 364e21c2-25bf-497d-9583-3d359e7cbf91); nothing was recorded.",
            problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("script", text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Scenario.Statuses);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public async Task KnownCallback_TaskNeverAcceptedHere_Answers404ProblemNamingTheId(string entry)
    {
        await using var host = await StartAsync();
        var taskInstanceId = TestData.NewTaskId();

        using var response = await host.Client.PostAsync($"{entry}/known/{taskInstanceId.ToUpperInvariant()}", null);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Unknown Scenario task", problem.GetProperty("title").GetString());
        Assert.Equal(
            $"No Scenario task {taskInstanceId} was accepted here, or its record has expired (Scenario:RecordRetention); nothing was recorded.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(taskInstanceId, problem.GetProperty("taskInstanceId").GetString());
        Assert.Empty(Scenario.Statuses);
    }
}
