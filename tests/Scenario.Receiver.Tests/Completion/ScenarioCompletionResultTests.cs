using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Tests.Completion;

/// <summary>Each answer <see cref="ScenarioCompletionResult.ToHttpResult"/> gives, executed as ASP.NET Core executes it.</summary>
public sealed class ScenarioCompletionResultTests
{
    private const string TaskInstanceId = "364e21c2-25bf-497d-9583-3d359e7cbf91";

    private static async Task<(int Status, string? ContentType, JsonElement Body)> ExecuteAsync(ScenarioCompletionResult result)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        using var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;

        await result.ToHttpResult().ExecuteAsync(context);

        return (context.Response.StatusCode, context.Response.ContentType, JsonDocument.Parse(body.ToArray()).RootElement);
    }

    [Theory]
    [InlineData(ScenarioPriorOutcome.Completed, "Task 364e21c2-25bf-497d-9583-3d359e7cbf91 already had an outcome (Completed); this one was not recorded.")]
    [InlineData(ScenarioPriorOutcome.Error, "Task 364e21c2-25bf-497d-9583-3d359e7cbf91 already had an outcome (Error); this one was not recorded.")]
    [InlineData(ScenarioPriorOutcome.CancelledByScenario, "Scenario cancelled task 364e21c2-25bf-497d-9583-3d359e7cbf91; this outcome was not recorded.")]
    public async Task ToHttpResult_TaskWithAnOutcome_Is409ProblemNamingIt(ScenarioPriorOutcome prior, string detail)
    {
        var (status, contentType, body) = await ExecuteAsync(ScenarioCompletionResult.AlreadyFinished(TaskInstanceId, prior));

        Assert.Equal(StatusCodes.Status409Conflict, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
        Assert.Equal(prior.ToString(), body.GetProperty("priorOutcome").GetString());
    }

    [Fact]
    public async Task ToHttpResult_Decided_Is200WithTheTaskId()
    {
        var (status, _, body) = await ExecuteAsync(ScenarioCompletionResult.Decided(TaskInstanceId));

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal($$"""{"taskInstanceId":"{{TaskInstanceId}}","decided":true}""", body.GetRawText());
    }

    [Fact]
    public async Task ToHttpResult_UnknownTask_Is404Problem()
    {
        var (status, contentType, body) = await ExecuteAsync(ScenarioCompletionResult.UnknownTask("abc"));

        Assert.Equal(StatusCodes.Status404NotFound, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("Unknown Scenario task", body.GetProperty("title").GetString());
        Assert.False(body.TryGetProperty("taskInstanceId", out _));
    }
}
