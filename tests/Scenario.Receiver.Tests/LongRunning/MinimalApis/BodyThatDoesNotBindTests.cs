using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning.MinimalApis;

/// <summary>
/// A body that does not bind, on a real Kestrel host with a Hangfire server: ASP.NET Core runs endpoint filters
/// even when binding failed, so without a check an empty or "null" body was accepted (202, then a
/// NullReferenceException in the job and Error 500 to Scenario), and a body that is not JSON got a bare 400.
/// </summary>
public abstract class BodyThatDoesNotBindTests(TaskStoreUnderTest store) : StandInTest
{
    public static TheoryData<string, string> BodiesThatDoNotBind => new()
    {
        { "empty", string.Empty },
        { "null", "null" },
        { "mistyped", "{\"portfolio\": \"EQ-1\", \"quantity\": \"many\"}" },
        { "broken", "{\"portfolio\": " },
    };

    [Theory]
    [MemberData(nameof(BodiesThatDoNotBind))]
    public async Task MinimalApi_BodyThatDoesNotBind_Answers400ProblemNamingTheParameterAndEnqueuesNothing(string kind, string body)
    {
        await using var host = await StartHostAsync();

        var (response, problem) = await PostAsync(host, "/minimal/ok", body);

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{kind}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The request did not bind", problem.GetProperty("title").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(["request"], problem.GetProperty("errors").EnumerateObject().Select(error => error.Name));
        Assert.Equal(0, host.Storage.TotalJobs());
        Assert.Empty(host.Probe.Invocations);
        Assert.Empty(Scenario.Statuses);
    }

    [Theory]
    [MemberData(nameof(BodiesThatDoNotBind))]
    public async Task MvcAction_BodyThatDoesNotBind_AnswersItsValidationProblemAndEnqueuesNothing(string kind, string body)
    {
        await using var host = await StartHostAsync();

        var (response, problem) = await PostAsync(host, "/tasks/ok", body);

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{kind}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("One or more validation errors occurred.", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("request", out _));
        Assert.Equal(0, host.Storage.TotalJobs());
        Assert.Empty(Scenario.Statuses);
    }

    [Fact]
    public async Task MinimalApi_QueryValueThatDoesNotParse_Answers400ProblemAndEnqueuesNothing()
    {
        await using var host = await StartHostAsync();

        var (response, problem) = await PostAsync(host, "/minimal/bound/rates?count=many&currency=EUR", "{\"portfolio\": \"EQ-1\"}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["A route, query or header value did not bind to its parameter's type."], problem.GetProperty("errors").GetProperty(string.Empty).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task MinimalApi_WithThrowOnBadRequest_BrokenBodyStillAnswers400Problem()
    {
        // On in Development: the binder throws instead of leaving a bare 400.
        await using var host = await StartHostAsync(builder => builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true));

        var (response, problem) = await PostAsync(host, "/minimal/ok", "{\"portfolio\": ");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The request did not bind", problem.GetProperty("title").GetString());
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task MinimalApi_ValidBody_IsStillAcceptedAndCompletes()
    {
        await using var host = await StartHostAsync();

        var response = await host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody);
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Completed", status.Status);
    }

    private Task<ReceiverTestHost> StartHostAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
        => ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], useKestrel: true, map: TaskWorkEndpoints.Map, configure: configure);

    private static async Task<(HttpResponseMessage Response, JsonElement Problem)> PostAsync(ReceiverTestHost host, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());
        var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class BodyThatDoesNotBindTests_InMemoryStore() : BodyThatDoesNotBindTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class BodyThatDoesNotBindTests_PostgreSqlStore() : BodyThatDoesNotBindTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class BodyThatDoesNotBindTests_HangfireStore() : BodyThatDoesNotBindTests(TaskStoreUnderTest.Hangfire);
