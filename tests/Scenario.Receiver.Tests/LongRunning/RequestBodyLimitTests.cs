using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.LongRunning.MinimalApis;

namespace Scenario.Receiver.Tests.LongRunning;

/// <summary>
/// Bodies over <c>Scenario:MaxArgumentsBytes</c> on the long-running endpoints, on a real Kestrel host (TestServer
/// has no body limits): refused unread when Content-Length says so, and as soon as reading passes the limit when
/// it does not, with 413 problem+json instead of buffering, binding and serializing the body first, or Kestrel's
/// bare 413.
/// </summary>
public abstract class RequestBodyLimitTests(TaskStoreUnderTest store) : StandInTest
{
    private const long TwentyMiB = 20L * 1024 * 1024;
    private const int Limit = ScenarioReceiverOptions.DefaultMaxArgumentsBytes;

    public static TheoryData<string> LongRunningPaths => new() { "/minimal/ok", "/tasks/ok" };

    [Theory]
    [MemberData(nameof(LongRunningPaths))]
    public async Task BodyAnnouncedOverTheLimit_Answers413ProblemWithoutReadingIt(string path)
    {
        await using var host = await StartHostAsync();

        // 20 MiB announced, not one byte sent: an answer comes back only if nothing waits for the body.
        var answer = await RawHttpCall.PostAnnouncedBodyAsync(host.Client.BaseAddress!, path, TaskHeader(), TwentyMiB);

        AssertTooLarge(answer.StatusCode, answer.ContentType, answer.Body, $"The body is {TwentyMiB} bytes; a long-running endpoint reads at most {Limit} bytes");
        Assert.Equal(0, host.Storage.TotalJobs());
        Assert.Empty(Scenario.Statuses);
    }

    [Theory]
    [MemberData(nameof(LongRunningPaths))]
    public async Task TwentyMiBBodyWithContentLength_Answers413ProblemAndEnqueuesNothing(string path)
    {
        await using var host = await StartHostAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(JsonWhitespace(TwentyMiB)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());

        using var response = await host.Client.SendAsync(request);

        AssertTooLarge((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), $"The body is {TwentyMiB} bytes");
        Assert.Equal(0, host.Storage.TotalJobs());
        Assert.Empty(Scenario.Statuses);
    }

    [Theory]
    [MemberData(nameof(LongRunningPaths))]
    public async Task ChunkedBodyOverTheLimit_Answers413ProblemWhileReading(string path)
    {
        await using var host = await StartHostAsync();

        var answer = await RawHttpCall.PostChunkedAsync(host.Client.BaseAddress!, path, TaskHeader(), TwentyMiB);

        AssertTooLarge(answer.StatusCode, answer.ContentType, answer.Body, $"The body is longer than the limit; a long-running endpoint reads at most {Limit} bytes (Scenario:MaxArgumentsBytes)");
        Assert.Equal(0, host.Storage.TotalJobs());
        Assert.Empty(Scenario.Statuses);
    }

    [Theory]
    [MemberData(nameof(LongRunningPaths))]
    public async Task KestrelsOwnLowerLimit_Answers413ProblemNamingIt(string path)
    {
        await using var host = await StartHostAsync(builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 64 * 1024));

        var answer = await RawHttpCall.PostChunkedAsync(host.Client.BaseAddress!, path, TaskHeader(), 512 * 1024);

        AssertTooLarge(answer.StatusCode, answer.ContentType, answer.Body, $"a long-running endpoint reads at most {64 * 1024} bytes (the server's MaxRequestBodySize)");
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Theory]
    [MemberData(nameof(LongRunningPaths))]
    public async Task BodyAnnouncedOverKestrelsLowerLimitButWithinOurs_Answers413ProblemNamingKestrelsLimit(string path)
    {
        await using var host = await StartHostAsync(builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 64 * 1024));

        // A declared length within Scenario:MaxArgumentsBytes is read without a stream in between only when the server's
        // own limit allows it too: this one is over Kestrel's, whose refusal must still become our problem+json.
        var answer = await RawHttpCall.PostAnnouncedBodyAsync(host.Client.BaseAddress!, path, TaskHeader(), 128 * 1024);

        AssertTooLarge(answer.StatusCode, answer.ContentType, answer.Body, $"a long-running endpoint reads at most {64 * 1024} bytes (the server's MaxRequestBodySize)");
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task ChunkedBodyUnderTheLimit_IsReadWholeAndAccepted()
    {
        await using var host = await StartHostAsync();

        var answer = await RawHttpCall.PostChunkedAsync(host.Client.BaseAddress!, "/minimal/value", TaskHeader(), 256 * 1024);

        Assert.Equal(202, answer.StatusCode);
        Assert.Equal(1, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task AnOrdinaryEndpoint_KeepsTheServersLimit()
    {
        await using var host = await StartHostAsync(configure: null, map: app =>
        {
            TaskWorkEndpoints.Map(app);
            app.MapPost("/ordinary", async (Microsoft.AspNetCore.Http.HttpRequest request) =>
            {
                var buffer = new byte[64 * 1024];
                long total = 0;
                int read;
                while ((read = await request.Body.ReadAsync(buffer)) > 0)
                {
                    total += read;
                }

                return Microsoft.AspNetCore.Http.Results.Ok(new { total });
            });
        });

        var answer = await RawHttpCall.PostChunkedAsync(host.Client.BaseAddress!, "/ordinary", new Dictionary<string, string>(), 2L * 1024 * 1024);

        Assert.Equal(200, answer.StatusCode);
    }

    private static void AssertTooLarge(int statusCode, string? contentType, string body, string detailPart)
    {
        Assert.Equal(413, statusCode);
        Assert.StartsWith("application/problem+json", contentType, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("The request body is too large to carry to a background job", problem.GetProperty("title").GetString());
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> TaskHeader() => new() { [ScenarioHeaderNames.TaskInstanceId] = TestData.NewTaskId() };

    private static byte[] JsonWhitespace(long length)
    {
        var body = new byte[length];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        body[^1] = (byte)'}';
        return body;
    }

    private Task<ReceiverTestHost> StartHostAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null, Action<Microsoft.AspNetCore.Builder.WebApplication>? map = null)
        => ReceiverTestHost.StartAsync(store, Scenario, [typeof(TaskWorkController)], runHangfireServer: false, useKestrel: true, configure: configure, map: map ?? TaskWorkEndpoints.Map);
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class RequestBodyLimitTests_InMemoryStore() : RequestBodyLimitTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class RequestBodyLimitTests_PostgreSqlStore() : RequestBodyLimitTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class RequestBodyLimitTests_HangfireStore() : RequestBodyLimitTests(TaskStoreUnderTest.Hangfire);
