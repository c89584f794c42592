using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;
using Scenario.Receiver.Tests.LongRunning.MinimalApis;

namespace Scenario.Receiver.Tests.LongRunning.RequestSnapshots;

/// <summary>The work runs as if in its request: it sees the caller, the request and its headers, never the caller's credentials.</summary>
public abstract class RequestSnapshotTests(TaskStoreUnderTest store) : IAsyncLifetime
{
    private const string ApiKey = "sk-receiver-7d1e-DO-NOT-LEAK";
    private const string BearerToken = "eyJhbGciOi.caller-token.DO-NOT-LEAK";
    private const string CookieValue = "session=cookie-DO-NOT-LEAK";
    private const string UserApiKey = "user-api-key-DO-NOT-LEAK";

    private ScenarioStandIn _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { ApiKey = ApiKey });

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    [Fact]
    public async Task MvcAction_SeesTheCallerTheRequestAndItsHeaders_ButNoCredential()
    {
        await using var host = await StartHostAsync();

        var status = await CallAsync(host, "/caller/A-17/close?reason=moved");

        Assert.Equal("Completed", status.Status);
        Assert.Equal("alice", status.OutputValues["closedBy"]);
        Assert.Equal(HeaderAuthenticationHandler.SchemeName, status.OutputValues["authenticationType"]);
        Assert.Equal("closer", status.OutputValues["role"]);
        Assert.Equal("POST", status.OutputValues["method"]);
        Assert.Equal("/caller/A-17/close", status.OutputValues["path"]);
        Assert.Equal("?reason=moved", status.OutputValues["query"]);
        Assert.Equal("A-17", status.OutputValues["routeAccount"]);
        Assert.Equal("acme", status.OutputValues["tenant"]);
        Assert.Equal("false", status.OutputValues["hasAuthorization"]);
        Assert.Equal("false", status.OutputValues["hasCookie"]);
        Assert.Equal("false", status.OutputValues["hasApiKeyHeader"]);
    }

    [Fact]
    public async Task MinimalApiHandler_GetsTheSnapshotAsHttpContextHttpRequestClaimsPrincipalAndIHttpContextAccessor()
    {
        await using var host = await StartHostAsync();

        var status = await CallAsync(host, "/snapshot/minimal/B-2?reason=audit");

        Assert.Equal("Completed", status.Status);
        Assert.Equal("alice", status.OutputValues["user"]);
        Assert.Equal("alice", status.OutputValues["contextUser"]);
        Assert.Equal("alice", status.OutputValues["accessorUser"]);
        Assert.Equal("/snapshot/minimal/B-2", status.OutputValues["path"]);
        Assert.Equal("audit", status.OutputValues["reason"]);
        Assert.Equal("B-2", status.OutputValues["route"]);
        Assert.Equal("acme", status.OutputValues["tenant"]);
        Assert.Equal("false", status.OutputValues["hasAuthorization"]);
    }

    [Fact]
    public async Task Credentials_AreAbsentFromJobStorageAndLogs_WhileTheRestOfTheSnapshotIsThere()
    {
        await using var host = await StartHostAsync(runHangfireServer: false);

        var call = await SendAsync(host, "/caller/A-17/close?reason=moved");

        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        var jobData = AllJobData(host.Storage, call.JobId!);
        // Proof the snapshot is in the job data at all, so the absence below means something.
        Assert.Contains("acme", jobData, StringComparison.Ordinal);
        Assert.Contains("closer", jobData, StringComparison.Ordinal);
        foreach (var secret in new[] { ApiKey, BearerToken, "cookie-DO-NOT-LEAK", UserApiKey })
        {
            Assert.DoesNotContain(secret, jobData, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, host.Logs.AllText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithUserAndHeadersSwitchedOff_TheWorkSeesNeither()
    {
        await using var host = await StartHostAsync(settings: new()
        {
            ["Scenario:RequestSnapshot:IncludeUser"] = "false",
            ["Scenario:RequestSnapshot:IncludeHeaders"] = "false",
        });

        var status = await CallAsync(host, "/caller/A-17/close?reason=moved");

        Assert.False(status.OutputValues.ContainsKey("closedBy"));
        Assert.Equal(string.Empty, status.OutputValues["tenant"]);
        Assert.Equal("/caller/A-17/close", status.OutputValues["path"]);
    }

    private async Task<ReceivedTaskStatus> CallAsync(ReceiverTestHost host, string path)
    {
        var call = await SendAsync(host, path);
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        return await _scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
    }

    private static async Task<(HttpStatusCode StatusCode, string TaskInstanceId, string? JobId)> SendAsync(ReceiverTestHost host, string path)
    {
        var taskInstanceId = TestData.NewTaskId();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, taskInstanceId);
        request.Headers.Add(HeaderAuthenticationHandler.HeaderName, "alice");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + BearerToken);
        request.Headers.TryAddWithoutValidation("Cookie", CookieValue);
        request.Headers.Add("X-Api-Key", UserApiKey);
        request.Headers.Add("X-Forwarded-Token", "worker " + ApiKey);
        request.Headers.Add("X-Tenant", "acme");
        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var jobId = response.StatusCode == HttpStatusCode.Accepted ? JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString() : null;
        return (response.StatusCode, taskInstanceId, jobId);
    }

    private Task<ReceiverTestHost> StartHostAsync(bool runHangfireServer = true, Dictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?> { ["Scenario:RequestSnapshot:SensitiveHeaders:0"] = "X-Api-Key" };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        return ReceiverTestHost.StartAsync(
            store,
            _scenario,
            [typeof(CallerController)],
            configuration,
            runHangfireServer: runHangfireServer,
            configure: builder =>
            {
                builder.Services.AddHttpContextAccessor();
                builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
                    .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
                builder.Services.AddAuthorization();
            },
            map: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapPost("/snapshot/minimal/{id}", (string id, HttpContext context, HttpRequest request, ClaimsPrincipal user, IHttpContextAccessor accessor) => TypedResults.Ok(new
                {
                    user = user.Identity?.Name,
                    contextUser = context.User.Identity?.Name,
                    accessorUser = accessor.HttpContext?.User.Identity?.Name,
                    path = request.Path.Value,
                    reason = request.Query["reason"].ToString(),
                    route = request.RouteValues["id"]?.ToString(),
                    tenant = request.Headers["X-Tenant"].ToString(),
                    hasAuthorization = request.Headers.ContainsKey("Authorization"),
                })).RequireAuthorization().WithScenarioLongRunning();
            });
    }

    /// <summary>What job storage holds of the job: arguments, parameters, state history.</summary>
    private static string AllJobData(JobStorage storage, string jobId)
    {
        var details = storage.GetMonitoringApi().JobDetails(jobId);
        using var connection = storage.GetConnection();
        var parameters = new[] { "Scenario.Task" }
            .Select(name => connection.GetJobParameter(jobId, name));
        return JsonSerializer.Serialize(new
        {
            args = details.Job?.Args?.Select(a => a?.ToString()),
            details.Properties,
            parameters,
            history = details.History.Select(h => new { h.StateName, h.Reason, h.Data }),
        });
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class RequestSnapshotTests_InMemoryStore() : RequestSnapshotTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class RequestSnapshotTests_PostgreSqlStore() : RequestSnapshotTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class RequestSnapshotTests_HangfireStore() : RequestSnapshotTests(TaskStoreUnderTest.Hangfire);
