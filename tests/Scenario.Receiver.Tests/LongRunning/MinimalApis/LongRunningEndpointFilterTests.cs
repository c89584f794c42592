using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.LongRunning.MinimalApis;

/// <summary>What a call to a minimal-API endpoint made long-running gets in the request, before any job runs.</summary>
public abstract class LongRunningEndpointFilterTests(TaskStoreUnderTest store) : StandInTest
{
    [Fact]
    public async Task RestCall_Answers202WithTheJobAndRunsNothingInTheRequest()
    {
        // No Hangfire server: whatever ran, ran in the request.
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario, runHangfireServer: false);

        var response = await host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody);
        var body = JsonDocument.Parse(response.Body).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal(response.TaskInstanceId, body.GetProperty("taskInstanceId").GetString());
        Assert.False(string.IsNullOrEmpty(response.JobId));
        Assert.Empty(host.Probe.Invocations);
        Assert.Equal("Enqueued", host.Storage.StateOf(response.JobId!));
    }

    [Fact]
    public async Task Call_WithoutTaskInstanceId_Answers400ProblemAndEnqueuesNothing()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario, runHangfireServer: false);

        using var response = await host.Client.PostAsJsonAsync("/minimal/ok", TestData.ValidBody);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Missing X-Scenario-TaskInstanceId header", problem.GetProperty("title").GetString());
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task RestCall_WithMalformedTaskInstanceId_Answers400ProblemNamingTheHeader()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario, runHangfireServer: false);

        var response = await host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody, taskInstanceId: "not-a-guid");
        var problem = JsonDocument.Parse(response.Body).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("Invalid X-Scenario-TaskInstanceId header", problem.GetProperty("title").GetString());
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task RestCall_WithBodyThatDoesNotBind_Answers400ProblemAndEnqueuesNothing()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario, runHangfireServer: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/minimal/ok")
        {
            Content = new StringContent("{\"portfolio\": ", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ScenarioHeaderNames.TaskInstanceId, TestData.NewTaskId());

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task RestCall_WhenTheJobStorageIsDown_Answers503ProblemWithRetryAfter()
    {
        await using var host = await HostedMinimalApiTest.StartHostAsync(store, Scenario, runHangfireServer: false, storage: new UnreachableStorage());

        var response = await host.RestCall.PostAsync("/minimal/ok", TestData.ValidBody);
        var problem = JsonDocument.Parse(response.Body).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("The task could not be accepted now", problem.GetProperty("title").GetString());
        Assert.Empty(host.Probe.Invocations);
    }

    [Fact]
    public async Task GroupWithRequireAuthorization_UnauthenticatedCall_Answers401AndEnqueuesNothing()
    {
        await using var host = await StartAccountsHostAsync();

        var response = await host.RestCall.PostAsync("/api/accounts/A-1/close?count=2", new { reason = "moved" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, host.Storage.TotalJobs());
    }

    [Fact]
    public async Task GroupWithRequireAuthorization_AuthenticatedCall_IsAcceptedAndCompletes()
    {
        await using var host = await StartAccountsHostAsync();
        host.Client.DefaultRequestHeaders.Add(HeaderAuthenticationHandler.HeaderName, "alice");

        var response = await host.RestCall.PostAsync("/api/accounts/A-1/close?count=2", new { reason = "moved" });
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Completed", status.Status);
        Assert.Equal("600", status.OutputValues["timeoutSeconds"]);
        Assert.Equal("A-1 closed 2: moved", status.OutputValues["closed"]);
    }

    [Fact]
    public async Task AttributeOnAHandlerWithoutWithScenarioLongRunning_FailsTheHostAtStartNamingTheFix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            store,
            Scenario, [], map: app => app.MapPost("/quotes", [ScenarioLongRunning] () => TypedResults.Ok())));

        Assert.Equal(
            "[ScenarioLongRunning] on the endpoint 'HTTP: POST /quotes' would be ignored: an attribute makes a controller action long-running, not a minimal-API handler. Call .WithScenarioLongRunning() on the endpoint (or its group) instead; it takes the same settings (retries, timeoutSeconds, queue).",
            error.Message);
    }

    [Fact]
    public async Task HandlerTakingAFile_FailsTheHostAtStartNamingTheEndpointAndParameter()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            store,
            Scenario, [], map: app => app.MapPost("/upload", (IFormFile document) => TypedResults.Ok()).WithScenarioLongRunning()));

        Assert.StartsWith(
            "The long-running endpoint 'HTTP: POST /upload' has a parameter 'document' of type IFormFile that cannot be carried to a background job",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AsParametersWithAService_FailsTheHostAtStartNamingTheMember()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverTestHost.StartAsync(
            store,
            Scenario, [], map: app => app.MapPost("/quote", ([Microsoft.AspNetCore.Http.AsParameters] QuoteWithService query) => TypedResults.Ok()).WithScenarioLongRunning()));

        Assert.StartsWith(
            "The long-running endpoint 'HTTP: POST /quote' has an [AsParameters] parameter 'query' whose member 'Probe' (WorkProbe) cannot be carried to a background job",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithScenarioLongRunningOnARequestDelegate_RunsItInTheJobWithTheStatusCodeItSets()
    {
        await using var host = await ReceiverTestHost.StartAsync(
            store,
            Scenario, [], map: app => app.MapPost("/raw", (RequestDelegate)(context =>
            {
                context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return Task.CompletedTask;
            })).WithScenarioLongRunning());

        var response = await host.RestCall.PostAsync("/raw", null);
        var status = await Scenario.WaitForTerminalStatusAsync(response.TaskInstanceId, Await.DefaultTimeout);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Error", status.Status);
        Assert.Equal("422", status.OutputValues["statusCode"]);
    }

    [Fact]
    public void WithScenarioLongRunning_WithNegativeRetries_ThrowsWhereItIsWritten()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FakeConventionBuilder().WithScenarioLongRunning(retries: -1));

        Assert.StartsWith("Retries must be between 0 and 100.", error.Message, StringComparison.Ordinal);
    }

    private Task<ReceiverTestHost> StartAccountsHostAsync()
        => ReceiverTestHost.StartAsync(
            store,
            Scenario,
            [],
            configure: builder =>
            {
                builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
                    .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
                builder.Services.AddAuthorization();
            },
            map: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                var accounts = app.MapGroup("/api/accounts").RequireAuthorization().WithScenarioLongRunning(timeoutSeconds: 600);
                accounts.MapPost("/{id}/close", (string id, int count, CloseRequest body) =>
                    TypedResults.Ok(new { closed = $"{id} closed {count}: {body.Reason}", timeoutSeconds = 600 }))
                    .WithName("close-account");
            });

    public sealed record CloseRequest(string Reason);

    public sealed record QuoteWithService(string Portfolio, WorkProbe Probe);

    private sealed class FakeConventionBuilder : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
        }
    }
}

/// <summary>Authenticates a call that names its user in a header: enough to tell an authenticated call from an anonymous one.</summary>
public sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestHeader";
    public const string HeaderName = "X-Test-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.ToString()), new Claim(ClaimTypes.Role, "closer")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class LongRunningEndpointFilterTests_InMemoryStore() : LongRunningEndpointFilterTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class LongRunningEndpointFilterTests_PostgreSqlStore() : LongRunningEndpointFilterTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class LongRunningEndpointFilterTests_HangfireStore() : LongRunningEndpointFilterTests(TaskStoreUnderTest.Hangfire);
