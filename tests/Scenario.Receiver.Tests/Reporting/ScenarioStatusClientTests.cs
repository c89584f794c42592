using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Reporting;

/// <summary>What goes on the wire matches the request Scenario's own client sends (TestData/complete_http.request.json).</summary>
public abstract class ScenarioStatusClientTests(TaskStoreUnderTest store) : StandInTest
{
    private static readonly JsonElement Official = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "complete_http.request.json"))).RootElement;

    [Fact]
    public async Task CompletedStatus_HasTheOfficialClientsMethodPathHeadersAndBodyShape()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var call = await host.RestCall.PostAsync("/tasks/void", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var request = Assert.Single(Scenario.Requests, r => r.Body.Contains(call.TaskInstanceId, StringComparison.Ordinal));
        var officialHeaders = Official.GetProperty("headers");
        Assert.Equal(Official.GetProperty("method").GetString(), request.Method);
        Assert.Equal(Official.GetProperty("path").GetString(), request.Path);
        Assert.Equal(officialHeaders.GetProperty("accept").GetString(), request.GetHeader("accept"));
        Assert.Equal(officialHeaders.GetProperty("content-type").GetString(), request.GetHeader("content-type"));
        Assert.Equal(
            officialHeaders.GetProperty("authorization").GetString()!.Replace("secret-key", Scenario.ApiKey, StringComparison.Ordinal),
            request.GetHeader("authorization"));

        var body = JsonDocument.Parse(request.Body).RootElement;
        var officialBody = Official.GetProperty("body");
        // The same fields as the official client's body, a message with Completed included.
        Assert.Equal(
            officialBody.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var property in body.EnumerateObject())
        {
            Assert.Equal(officialBody.GetProperty(property.Name).ValueKind, property.Value.ValueKind);
        }

        Assert.Equal(call.TaskInstanceId, body.GetProperty("taskInstanceId").GetString());
        Assert.Equal(officialBody.GetProperty("status").GetString(), body.GetProperty("status").GetString());
        Assert.Equal(JsonSerializer.Serialize(officialBody.GetProperty("outputValues")), JsonSerializer.Serialize(body.GetProperty("outputValues")));
    }

    [Fact]
    public async Task ErrorStatus_CarriesTheMessageAsAStringLikeTheOfficialClient()
    {
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)]);
        var call = await host.RestCall.PostAsync("/tasks/throw", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        var body = JsonDocument.Parse(Scenario.StatusesFor(call.TaskInstanceId).Single().RawBody).RootElement;

        Assert.Equal(JsonValueKind.String, body.GetProperty("message").ValueKind);
        Assert.Equal("{\"statusCode\":\"500\"}", body.GetProperty("outputValues").GetRawText());
        Assert.Equal("Error", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task HostWithStandardResilienceHandlerForEveryClient_OnePostPerAttemptOfOurs()
    {
        // What a .NET Aspire app's ServiceDefaults do. Its retry would repeat the 503'd post within our
        // first attempt (and the first attempt would then succeed); without it, our second attempt, from a
        // report job, makes the second post.
        await using var host = await ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)],
            configure: builder => builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler()));
        Scenario.FailNext(1, 503);

        var call = await host.RestCall.PostAsync("/tasks/value", TestData.ValidBody);
        await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(2, Scenario.Requests.Count(r => r.Path.EndsWith("task-statuses", StringComparison.Ordinal)));
        Assert.NotNull((await host.Services.GetRequiredService<ITaskStore>().FindAsync(call.TaskInstanceId))!.ReportJobId);
        Assert.Single(host.Logs.Lines, l => l.EventId == 1302);
        await Await.UntilAsync(() => host.Logs.Lines.Any(l => l.EventId == 1301), "the delivery is logged");
        Assert.Single(host.Logs.Lines, l => l.EventId == 1301 && l.Message.Contains("attempt 2)", StringComparison.Ordinal));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class ScenarioStatusClientTests_InMemoryStore() : ScenarioStatusClientTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class ScenarioStatusClientTests_PostgreSqlStore() : ScenarioStatusClientTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class ScenarioStatusClientTests_HangfireStore() : ScenarioStatusClientTests(TaskStoreUnderTest.Hangfire);
