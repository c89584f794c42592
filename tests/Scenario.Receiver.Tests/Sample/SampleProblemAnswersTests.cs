using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Sample;

/// <summary>
/// The sample answers problem+json where it would have answered a bare 500: a body missing on its validated
/// endpoints, and every endpoint of its own while the job storage cannot be reached (503 with Retry-After, the
/// library's own answer).
/// </summary>
public sealed class SampleProblemAnswersTests : IAsyncLifetime
{
    private ScenarioStandIn _scenario = null!;

    public static TheoryData<string, string> ValidatedEndpointsAndEmptyBodies => new()
    {
        { "/api/pricing/quotes", string.Empty },
        { "/api/pricing/quotes", "null" },
        { "/api/pricing/batches", string.Empty },
        { "/api/pricing/batches", "null" },
    };

    public static TheoryData<string> LongRunningEndpoints => new() { "/api/pricing/runs", "/api/pricing/quotes", "/api/pricing/batches" };

    public async Task InitializeAsync() => _scenario = await ScenarioStandIn.StartAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    [Theory]
    [MemberData(nameof(ValidatedEndpointsAndEmptyBodies))]
    public async Task ValidateBodyFilter_WithoutABody_Answers400ProblemAndEnqueuesNothing(string path, string body)
    {
        // Production: in Development, minimal APIs throw on a body that does not bind before any filter runs
        // (RouteHandlerOptions.ThrowOnBadRequest), and the library answers; here the sample's filter meets the null body.
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseEnvironment("Production").UseScenarioStandIn(_scenario));
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());

        using var response = await client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The request body is missing", problem.GetProperty("title").GetString());
        Assert.Equal(0, app.Services.GetRequiredService<JobStorage>().TotalJobs());
    }

    [Fact]
    public async Task BatchCallback_WhileTheStorageIsDown_Answers503ProblemWithRetryAfter()
    {
        await using var app = StartWithStorageDown();
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync($"/api/pricing/batches/{TestData.NewTaskId()}/result", new { price = 101.5 });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        Assert.Equal("The result could not be recorded now", problem.GetProperty("title").GetString());
        Assert.Empty(_scenario.Statuses);
    }

    [Theory]
    [MemberData(nameof(LongRunningEndpoints))]
    public async Task LongRunningEndpoint_WhileTheStorageIsDown_Answers503ProblemWithRetryAfter(string path)
    {
        await using var app = StartWithStorageDown();
        using var client = app.CreateClient();

        var call = await new ScenarioRestCall(client).PostAsync(path, new { portfolio = "EQ-1", durationMs = 10, deadlineSeconds = 60 });
        var problem = JsonDocument.Parse(call.Body).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, call.StatusCode);
        Assert.StartsWith("application/problem+json", call.ContentType, StringComparison.Ordinal);
        Assert.Equal("The task could not be accepted now", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task TaskStatus_WhileTheStorageIsDown_Answers503ProblemWithRetryAfter()
    {
        await using var app = StartWithStorageDown();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/scenario/tasks/{TestData.NewTaskId()}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
    }

    private WebApplicationFactory<Program> StartWithStorageDown()
        => new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseScenarioStandIn(_scenario, host => host.Storage = _ => new UnreachableStorage()));
}
