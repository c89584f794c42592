using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.LongRunning.MinimalApis;

namespace Scenario.Receiver.Tests.LongRunning.OpenApi;

/// <summary>
/// The OpenAPI document Microsoft.AspNetCore.OpenApi generates (AddOpenApi/MapOpenApi) tells the truth about
/// long-running endpoints of both entry points: 202 with the accepted task, 400 and 503 problems, the task header.
/// </summary>
public sealed class OpenApiDocumentTests : StandInTest
{
    [Theory]
    [InlineData("/tasks/ok")]
    [InlineData("/minimal/ok")]
    public async Task LongRunningEndpoint_IsDocumentedAs202WithTheAcceptedTaskProblemsAndTheRequiredHeader(string path)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty("post");

        var responses = operation.GetProperty("responses");
        Assert.Equal(["202", "400", "503"], responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        var accepted = responses.GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var properties = Resolve(await DocumentAsync(), accepted).GetProperty("properties");
        Assert.True(properties.TryGetProperty("taskInstanceId", out _));
        Assert.True(properties.TryGetProperty("jobId", out _));
        Assert.True(responses.GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(responses.GetProperty("503").GetProperty("content").TryGetProperty("application/problem+json", out _));

        var header = Assert.Single(operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "X-Scenario-TaskInstanceId");
        Assert.Equal("header", header.GetProperty("in").GetString());
        Assert.True(header.GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task OrdinaryEndpoint_KeepsItsOwnResponses()
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty("/ordinary").GetProperty("post");

        Assert.Equal(["200"], operation.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        Assert.False(operation.TryGetProperty("parameters", out _));
    }

    private JsonElement? _document;

    private async Task<JsonElement> DocumentAsync()
    {
        if (_document is { } cached)
        {
            return cached;
        }

        await using var host = await ReceiverTestHost.StartAsync(
            TaskStoreUnderTest.AsConfigured,
            Scenario,
            [typeof(TaskWorkController)],
            runHangfireServer: false,
            configure: builder =>
            {
                builder.Services.AddOpenApi();
                builder.Services.AddKeyedSingleton<IPriceSource>("eu", new PriceSource("eu-feed"));
            },
            map: app =>
            {
                TaskWorkEndpoints.Map(app);
                app.MapPost("/ordinary", () => "an ordinary answer");
                app.MapOpenApi();
            });
        using var response = await host.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        _document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return _document.Value;
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }

        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}
