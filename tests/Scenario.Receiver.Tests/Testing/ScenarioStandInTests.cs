using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Scenario.Receiver.Testing;

namespace Scenario.Receiver.Tests.Testing;

public sealed class ScenarioStandInTests : IAsyncLifetime
{
    private const string ApiKey = "secret-key";
    private const string TaskId = "364e21c2-25bf-497d-9583-3d359e7cbf91";

    // The body of complete_http.request.json: what Scenario's own sample client posts to complete a task.
    private const string CompleteHttpBody = """
        {
          "taskInstanceId": "364e21c2-25bf-497d-9583-3d359e7cbf91",
          "status": "Completed",
          "message": "Completion by complete_http.py",
          "outputValues": {
            "statusCode": "200"
          }
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // One client for the class, as HttpClient is meant to be used; each test talks to its own stand-in.
    private static readonly HttpClient Client = new();

    private readonly List<ReceivedTaskStatus> _callbackStatuses = [];
    private ScenarioStandIn _standIn = null!;
    private Action<ReceivedTaskStatus>? _callback;

    public async Task InitializeAsync()
    {
        _standIn = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions
        {
            ApiKey = ApiKey,
            OnStatusReceived = status =>
            {
                lock (_callbackStatuses)
                {
                    _callbackStatuses.Add(status);
                }

                _callback?.Invoke(status);
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task StartAsync_PortZero_ListensOnLoopbackFreePortWithTrailingSlash()
    {
        Assert.Equal("http", _standIn.BaseUrl.Scheme);
        Assert.Equal("127.0.0.1", _standIn.BaseUrl.Host);
        Assert.NotEqual(0, _standIn.BaseUrl.Port);
        Assert.Equal("/", _standIn.BaseUrl.AbsolutePath);
        Assert.Equal(new Uri(_standIn.BaseUrl, "taskstatus/api/task-statuses"), _standIn.TaskStatusesUrl);
        Assert.Equal(ApiKey, _standIn.ApiKey);

        using var response = await Client.GetAsync(new Uri(_standIn.BaseUrl, "taskstatus/api/ServiceStatus"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task StartAsync_NoOptions_AcceptsDefaultApiKey()
    {
        await using var standIn = await ScenarioStandIn.StartAsync();

        Assert.Equal(ScenarioStandInOptions.DefaultApiKey, standIn.ApiKey);
        Assert.Equal("stand-in-api-key", ScenarioStandInOptions.DefaultApiKey);
        using var response = await PostStatusAsync(standIn, CompleteHttpBody, $"Bearer {ScenarioStandInOptions.DefaultApiKey}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task StartAsync_EmptyApiKey_ThrowsNamingTheOption(string apiKey)
    {
        var exception = await Assert.ThrowsAsync<ArgumentException>(
            () => ScenarioStandIn.StartAsync(new ScenarioStandInOptions { ApiKey = apiKey }));

        Assert.StartsWith("ScenarioStandInOptions.ApiKey must not be empty: it is the bearer token the stand-in accepts.", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_PortOutOfRange_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ScenarioStandIn.StartAsync(new ScenarioStandInOptions { Port = 70000 }));
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsAndLeavesTheRunningStandInAlone()
    {
        var options = new ScenarioStandInOptions { Port = _standIn.BaseUrl.Port };

        await Assert.ThrowsAnyAsync<IOException>(() => ScenarioStandIn.StartAsync(options));

        using var response = await Client.GetAsync(new Uri(_standIn.BaseUrl, "taskstatus/api/ServiceStatus"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task StartAsync_FixedPort_ListensOnIt()
    {
        var port = _standIn.BaseUrl.Port;
        await _standIn.DisposeAsync();

        _standIn = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { ApiKey = ApiKey, Port = port });

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), _standIn.BaseUrl);
    }

    [Fact]
    public async Task PostTaskStatus_CompleteHttpSampleRequest_Answers204AndRecordsStatus()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _standIn.TaskStatusesUrl)
        {
            Content = new StringContent(CompleteHttpBody, Encoding.UTF8),
        };
        // The exact headers of complete_http.request.json.
        request.Headers.TryAddWithoutValidation("accept", "application/json");
        request.Headers.TryAddWithoutValidation("authorization", "bearer secret-key");
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var status = Assert.Single(_standIn.Statuses);
        Assert.Equal(TaskId, status.TaskInstanceId);
        Assert.Equal(ReceivedTaskStatus.CompletedStatus, status.Status);
        Assert.Equal("Completion by complete_http.py", status.Message);
        Assert.Null(status.ProgressPercentage);
        Assert.Equal(new Dictionary<string, string> { ["statusCode"] = "200" }, status.OutputValues);
        Assert.Equal("200", status.OutputStatusCode);
        Assert.Empty(status.Invariants);
        Assert.Equal(CompleteHttpBody, status.RawBody);
        Assert.Equal("bearer secret-key", status.Authorization);
        Assert.Equal("application/json", status.ContentType);
        Assert.Equal("application/json", status.Accept);
        Assert.True(status.IsTerminal);
        Assert.Equal($"{TaskId} Completed statusCode=200 \"Completion by complete_http.py\"", status.ToString());

        var recorded = Assert.Single(_standIn.Requests);
        Assert.Equal("POST", recorded.Method);
        Assert.Equal("/taskstatus/api/task-statuses", recorded.Path);
        Assert.Equal(204, recorded.AnsweredStatusCode);
        Assert.Equal(CompleteHttpBody, recorded.Body);
        Assert.Equal(1, _standIn.RequestCount);
    }

    [Fact]
    public async Task PostTaskStatus_InProgressWithProgressAndInvariants_IsAccepted()
    {
        const string Body = """
            {"taskInstanceId":"task-1","status":"InProgress","progressPercentage":100,"message":"almost",
             "invariants":{"region":"eu"},"outputValues":{}}
            """;

        using var response = await PostStatusAsync(_standIn, Body);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var status = Assert.Single(_standIn.Statuses);
        Assert.Equal(100, status.ProgressPercentage);
        Assert.Equal("eu", status.Invariants["region"]);
        Assert.Empty(status.OutputValues);
        Assert.False(status.IsTerminal);
        Assert.Null(status.Accept);
    }

    [Fact]
    public async Task PostTaskStatus_OptionalFieldsNull_IsAccepted()
    {
        const string Body = """
            {"taskInstanceId":"task-1","status":"InProgress","progressPercentage":null,"message":null,"invariants":null,"outputValues":null}
            """;

        using var response = await PostStatusAsync(_standIn, Body);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var status = Assert.Single(_standIn.Statuses);
        Assert.Null(status.ProgressPercentage);
        Assert.Null(status.Message);
    }

    [Fact]
    public async Task PostTaskStatus_NumberInOutputValues_Answers400NamingTheKeyAndRecordsNoStatus()
    {
        const string Body = """{"taskInstanceId":"task-1","status":"Completed","outputValues":{"statusCode":"200","count":256}}""";

        using var response = await PostStatusAsync(_standIn, Body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "'outputValues.count' must be a JSON string (Scenario expects numbers as strings, e.g. \"200\"); got 256 (a JSON number).",
            await ReadDetailAsync(response));
        Assert.Empty(_standIn.Statuses);
        var recorded = Assert.Single(_standIn.Requests);
        Assert.Equal(400, recorded.AnsweredStatusCode);
        Assert.Contains("'outputValues.count'", recorded.ResponseBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "The body is not valid JSON: ")]
    [InlineData("[]", "The body must be a JSON object (a TaskStatusEvent); got a JSON array.")]
    [InlineData("""{"status":"InProgress"}""", "'taskInstanceId' is required and must be a non-empty JSON string.")]
    [InlineData("""{"taskInstanceId":"","status":"InProgress"}""", "'taskInstanceId' is required and must be a non-empty JSON string.")]
    [InlineData("""{"taskInstanceId":42,"status":"InProgress"}""", "'taskInstanceId' is required and must be a non-empty JSON string.")]
    [InlineData("""{"taskInstanceId":"t"}""", "'status' is required: InProgress, Completed or Error.")]
    [InlineData("""{"taskInstanceId":"t","status":"Unknown"}""", "'status' must be InProgress, Completed or Error; got \"Unknown\".")]
    [InlineData("""{"taskInstanceId":"t","status":"completed","outputValues":{"statusCode":"200"}}""", "'status' must be InProgress, Completed or Error; got \"completed\".")]
    [InlineData("""{"taskInstanceId":"t","status":2}""", "'status' must be InProgress, Completed or Error; got 2 (a JSON number).")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","progressPercentage":101}""", "'progressPercentage' must be an integer from 0 to 100; got 101 (a JSON number).")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","progressPercentage":-1}""", "'progressPercentage' must be an integer from 0 to 100; got -1 (a JSON number).")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","progressPercentage":12.5}""", "'progressPercentage' must be an integer from 0 to 100; got 12.5 (a JSON number).")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","progressPercentage":"50"}""", "'progressPercentage' must be an integer from 0 to 100; got \"50\".")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","message":7}""", "'message' must be a JSON string; got 7 (a JSON number).")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","invariants":{"flag":true}}""", "'invariants.flag' must be a JSON string (Scenario expects numbers as strings, e.g. \"200\"); got true (a JSON boolean).")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","outputValues":[]}""", "'outputValues' must be a JSON object whose values are strings; got a JSON array.")]
    [InlineData("""{"taskInstanceId":"t","status":"InProgress","outputValues":{"x":null}}""", "'outputValues.x' must be a JSON string (Scenario expects numbers as strings, e.g. \"200\"); got null.")]
    [InlineData("""{"taskInstanceId":"t","status":"Completed","outputValues":{"statusCode":200}}""", "'outputValues.statusCode' must be a JSON string (Scenario expects numbers as strings, e.g. \"200\"); got 200 (a JSON number).")]
    [InlineData("""{"taskInstanceId":"t","status":"Completed"}""", "'outputValues.statusCode' is required with status Completed: a valid HTTP status code (100-599) as a string.")]
    [InlineData("""{"taskInstanceId":"t","status":"Error","outputValues":{}}""", "'outputValues.statusCode' is required with status Error: a valid HTTP status code (100-599) as a string.")]
    [InlineData("""{"taskInstanceId":"t","status":"Completed","outputValues":{"statusCode":"OK"}}""", "'outputValues.statusCode' must be a valid HTTP status code (100-599) as a string; got \"OK\".")]
    [InlineData("""{"taskInstanceId":"t","status":"Error","outputValues":{"statusCode":"99"}}""", "'outputValues.statusCode' must be a valid HTTP status code (100-599) as a string; got \"99\".")]
    [InlineData("""{"taskInstanceId":"t","status":"Error","outputValues":{"statusCode":"600"}}""", "'outputValues.statusCode' must be a valid HTTP status code (100-599) as a string; got \"600\".")]
    [InlineData("""{"taskInstanceId":"t","status":"Error","outputValues":{"statusCode":" 500"}}""", "'outputValues.statusCode' must be a valid HTTP status code (100-599) as a string; got \" 500\".")]
    public async Task PostTaskStatus_BodyNotATaskStatusEvent_Answers400WithReason(string body, string expectedDetail)
    {
        using var response = await PostStatusAsync(_standIn, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(expectedDetail, await ReadDetailAsync(response), StringComparison.Ordinal);
        Assert.Empty(_standIn.Statuses);
        Assert.Equal(400, Assert.Single(_standIn.Requests).AnsweredStatusCode);
    }

    [Fact]
    public async Task PostTaskStatus_NoAuthorizationHeader_Answers401WithBearerChallenge()
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, authorization: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("The Authorization header must be 'bearer {token}'; it is missing.", await ReadDetailAsync(response));
        Assert.Empty(_standIn.Statuses);
        Assert.Equal(401, Assert.Single(_standIn.Requests).AnsweredStatusCode);
    }

    [Theory]
    [InlineData("Basic c2VjcmV0LWtleQ==")]
    [InlineData("secret-key")]
    [InlineData("bearer")]
    [InlineData("bearer   ")]
    public async Task PostTaskStatus_AuthorizationNotBearerToken_Answers401(string authorization)
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("The Authorization header must be 'bearer {token}'; it has another scheme or no token.", await ReadDetailAsync(response));
        Assert.Empty(_standIn.Statuses);
    }

    [Theory]
    [InlineData("Bearer secret-key")]
    [InlineData("BEARER secret-key")]
    public async Task PostTaskStatus_BearerSchemeInAnyCase_IsAccepted(string authorization)
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, authorization);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Single(_standIn.Statuses);
    }

    [Fact]
    public async Task PostTaskStatus_WrongToken_Answers403WithoutEchoingTheToken()
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, "bearer stolen-token");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("The bearer token is not authorized.", await ReadDetailAsync(response));
        Assert.DoesNotContain("stolen-token", body, StringComparison.Ordinal);
        Assert.Empty(_standIn.Statuses);
        Assert.Equal(403, Assert.Single(_standIn.Requests).AnsweredStatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task PostTaskStatus_ContentTypeNotJson_Answers415(string contentType)
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, contentType: contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal($"Content-Type must be application/json; got '{contentType}'.", await ReadDetailAsync(response));
        Assert.Empty(_standIn.Statuses);
    }

    [Fact]
    public async Task PostTaskStatus_JsonWithCharset_IsAccepted()
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, contentType: "application/json; charset=utf-8");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", Assert.Single(_standIn.Statuses).ContentType);
    }

    [Fact]
    public async Task GetTaskStatuses_WrongMethod_Answers405WithAllow()
    {
        using var response = await Client.GetAsync(_standIn.TaskStatusesUrl);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
        Assert.Equal(405, Assert.Single(_standIn.Requests).AnsweredStatusCode);
    }

    [Fact]
    public async Task UnknownPath_AnyRequest_Answers404AndIsRecorded()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(new Uri(_standIn.BaseUrl, "api/task-statuses"), content);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("The Scenario stand-in does not serve /api/task-statuses; it serves POST /taskstatus/api/task-statuses,", await ReadDetailAsync(response), StringComparison.Ordinal);
        var recorded = Assert.Single(_standIn.Requests);
        Assert.Equal("/api/task-statuses", recorded.Path);
        Assert.Equal(404, recorded.AnsweredStatusCode);
        Assert.Equal("{}", recorded.Body);
    }

    [Fact]
    public async Task Requests_Headers_AreLowerCaseAndLookedUpInAnyCase()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_standIn.BaseUrl, "taskstatus/api/ServiceStatus"));
        request.Headers.TryAddWithoutValidation("X-Custom-Header", "value");

        using var response = await Client.SendAsync(request);

        var recorded = Assert.Single(_standIn.Requests);
        Assert.Contains("x-custom-header", recorded.Headers.Keys);
        Assert.DoesNotContain("X-Custom-Header", recorded.Headers.Keys);
        Assert.Equal("value", recorded.Headers["X-CUSTOM-HEADER"]);
        Assert.Equal("value", recorded.GetHeader("X-Custom-Header"));
        Assert.Null(recorded.GetHeader("authorization"));
        Assert.Equal("GET /taskstatus/api/ServiceStatus → 204", recorded.ToString());
    }

    [Fact]
    public async Task FailNext_TwoServiceUnavailableWithRetryAfter_AnswersTwo503WithRetryAfterThenAccepts()
    {
        _standIn.FailNext(2, 503, TimeSpan.FromSeconds(3));

        var codes = new List<HttpStatusCode>();
        var retryAfters = new List<TimeSpan?>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var response = await PostStatusAsync(_standIn, CompleteHttpBody);
            codes.Add(response.StatusCode);
            retryAfters.Add(response.Headers.RetryAfter?.Delta);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent], codes);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), null], retryAfters);
        Assert.Equal([503, 503, 204], _standIn.Requests.Select(request => request.AnsweredStatusCode));
        Assert.Single(_standIn.Statuses);
    }

    [Fact]
    public async Task FailNext_RetryAfterFraction_RoundsUpToWholeSeconds()
    {
        _standIn.FailNext(1, 429, TimeSpan.FromMilliseconds(1500));

        using var response = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("2", Assert.Single(response.Headers.GetValues("Retry-After")));
    }

    [Fact]
    public async Task FailNext_CalledTwice_AnswersQueuedFaultsInOrder()
    {
        _standIn.FailNext(1, 503);
        _standIn.FailNext(1, 401);

        using var first = await PostStatusAsync(_standIn, CompleteHttpBody);
        using var second = await PostStatusAsync(_standIn, CompleteHttpBody);
        using var third = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.False(first.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, third.StatusCode);
    }

    [Fact]
    public async Task FailNext_InvalidRequest_FaultAnsweredBeforeValidation()
    {
        _standIn.FailNext(1, 503);

        using var response = await PostStatusAsync(_standIn, "not json", authorization: null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Injected by the Scenario stand-in (FailNext or FailAll).", await ReadDetailAsync(response));
    }

    [Fact]
    public async Task FailNext_OtherEndpoints_AreNotFaulted()
    {
        _standIn.FailNext(1, 503);

        using var serviceStatus = await Client.GetAsync(new Uri(_standIn.BaseUrl, "taskstatus/api/ServiceStatus"));
        using var post = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.NoContent, serviceStatus.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
    }

    [Theory]
    [InlineData(-1, 503)]
    [InlineData(1, 200)]
    [InlineData(1, 302)]
    [InlineData(1, 600)]
    public void FailNext_ArgumentOutOfRange_Throws(int count, int statusCode)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _standIn.FailNext(count, statusCode));
    }

    [Fact]
    public void FailNext_NegativeRetryAfter_Throws()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => _standIn.FailNext(1, 503, TimeSpan.FromSeconds(-1)));

        Assert.Equal("retryAfter", exception.ParamName);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(600)]
    public void FailAll_NotAnErrorCode_Throws(int statusCode)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _standIn.FailAll(statusCode));
    }

    [Fact]
    public async Task FailAll_UntilCleared_AnswersThatCodeThenAccepts()
    {
        _standIn.FailAll(403);

        using var first = await PostStatusAsync(_standIn, CompleteHttpBody);
        using var second = await PostStatusAsync(_standIn, CompleteHttpBody);
        _standIn.FailAll(null);
        using var third = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.Forbidden, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, third.StatusCode);
        Assert.Single(_standIn.Statuses);
        Assert.Equal(3, _standIn.RequestCount);
    }

    [Fact]
    public async Task FailAll_WithFailNextQueued_AnswersFailNextFirst()
    {
        _standIn.FailAll(503, TimeSpan.FromSeconds(60));
        _standIn.FailNext(1, 429);

        using var first = await PostStatusAsync(_standIn, CompleteHttpBody);
        using var second = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), second.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData("taskstatus/api/ServiceStatus")]
    [InlineData("polling/api/ServiceStatus")]
    [InlineData("taskstatus/api/servicestatus")]
    public async Task ServiceStatus_Up_Answers204(string path)
    {
        using var response = await Client.GetAsync(new Uri(_standIn.BaseUrl, path));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task ServiceStatus_IsDown_Answers503AndStatusPostsToo()
    {
        _standIn.IsDown = true;

        using var serviceStatus = await Client.GetAsync(new Uri(_standIn.BaseUrl, "taskstatus/api/ServiceStatus"));
        using var post = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, serviceStatus.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Empty(_standIn.Statuses);

        _standIn.IsDown = false;
        using var serviceStatusAgain = await Client.GetAsync(new Uri(_standIn.BaseUrl, "taskstatus/api/ServiceStatus"));
        using var postAgain = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.NoContent, serviceStatusAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, postAgain.StatusCode);
    }

    [Fact]
    public async Task IsDown_WithFailNextQueued_KeepsTheFaultForLater()
    {
        _standIn.FailNext(1, 429);
        _standIn.IsDown = true;

        using var whileDown = await PostStatusAsync(_standIn, CompleteHttpBody);
        _standIn.IsDown = false;
        using var afterwards = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, afterwards.StatusCode);
    }

    [Fact]
    public async Task WaitForStatusesAsync_StatusArrivesAfterTheWaitStarted_Completes()
    {
        var waiting = _standIn.WaitForStatusesAsync(statuses => statuses.Count == 2, Patience);

        using var first = await PostStatusAsync(_standIn, """{"taskInstanceId":"t","status":"InProgress","progressPercentage":50}""");
        Assert.False(waiting.IsCompleted);
        using var second = await PostStatusAsync(_standIn, CompleteHttpBody);

        var statuses = await waiting;
        Assert.Equal(["InProgress", "Completed"], statuses.Select(status => status.Status));
    }

    [Fact]
    public async Task WaitForStatusesAsync_AlreadySatisfied_ReturnsAtOnce()
    {
        using var response = await PostStatusAsync(_standIn, CompleteHttpBody);

        IReadOnlyList<ReceivedTaskStatus> statuses = await _standIn.WaitForStatusesAsync(statuses => statuses.Count == 1, TimeSpan.Zero);

        Assert.Single(statuses);
    }

    [Fact]
    public async Task WaitForStatusesAsync_NeverSatisfied_ThrowsTimeoutExceptionListingWhatArrived()
    {
        using var accepted = await PostStatusAsync(_standIn, """{"taskInstanceId":"task-7","status":"InProgress","progressPercentage":40}""");
        using var refused = await PostStatusAsync(_standIn, """{"taskInstanceId":"task-7","status":"Completed","outputValues":{"statusCode":200}}""");

        var exception = await Assert.ThrowsAsync<TimeoutException>(
            () => _standIn.WaitForStatusesAsync(statuses => statuses.Any(status => status.IsTerminal), TimeSpan.FromMilliseconds(200)));

        Assert.Equal(
            string.Join(
                Environment.NewLine,
                "Timed out after 0.2 s waiting for task statuses that satisfy the predicate. The Scenario stand-in received 2 request(s) and accepted 1 status(es):",
                "  1. POST /taskstatus/api/task-statuses → 204: task-7 InProgress 40%",
                "  2. POST /taskstatus/api/task-statuses → 400: {\"title\":\"Bad Request\",\"status\":400,\"detail\":\"'outputValues.statusCode' must be a JSON string (Scenario expects numbers as strings, e.g. \\\"200\\\"); got 200 (a JSON number).\"}"),
            exception.Message);
    }

    [Fact]
    public async Task WaitForStatusesAsync_NothingArrived_TimeoutSaysSo()
    {
        var exception = await Assert.ThrowsAsync<TimeoutException>(
            () => _standIn.WaitForStatusesAsync(statuses => statuses.Count > 0, TimeSpan.FromMilliseconds(50)));

        Assert.Equal(
            "Timed out after 0.05 s waiting for task statuses that satisfy the predicate. The Scenario stand-in received no request.",
            exception.Message);
    }

    [Fact]
    public async Task WaitForStatusesAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var waiting = _standIn.WaitForStatusesAsync(statuses => statuses.Count > 0, Patience, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task WaitForRequestsAsync_RefusedPost_Completes()
    {
        var waiting = _standIn.WaitForRequestsAsync(
            requests => requests.Any(request => request.AnsweredStatusCode == 403),
            Patience);

        using var response = await PostStatusAsync(_standIn, CompleteHttpBody, "bearer other");

        Assert.Equal(403, Assert.Single(await waiting).AnsweredStatusCode);
    }

    [Fact]
    public async Task WaitForTerminalStatusAsync_CompletedAfterProgress_ReturnsTheTerminalStatus()
    {
        var waiting = _standIn.WaitForTerminalStatusAsync(TaskId, Patience);

        using var progress = await PostStatusAsync(_standIn, $$"""{"taskInstanceId":"{{TaskId}}","status":"InProgress"}""");
        using var otherTask = await PostStatusAsync(_standIn, """{"taskInstanceId":"other","status":"Error","outputValues":{"statusCode":"500"}}""");
        Assert.False(waiting.IsCompleted);
        using var completed = await PostStatusAsync(_standIn, CompleteHttpBody);

        var status = await waiting;
        Assert.Equal(TaskId, status.TaskInstanceId);
        Assert.Equal("Completed", status.Status);
    }

    [Fact]
    public async Task WaitForTerminalStatusAsync_OnlyProgress_TimeoutNamesTheTask()
    {
        using var progress = await PostStatusAsync(_standIn, """{"taskInstanceId":"task-9","status":"InProgress"}""");

        var exception = await Assert.ThrowsAsync<TimeoutException>(
            () => _standIn.WaitForTerminalStatusAsync("task-9", TimeSpan.FromMilliseconds(100)));

        Assert.StartsWith(
            "Timed out after 0.1 s waiting for a Completed or Error status for task instance 'task-9'. The Scenario stand-in received 1 request(s) and accepted 1 status(es):",
            exception.Message,
            StringComparison.Ordinal);
        Assert.Contains("task-9 InProgress", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusesFor_SeveralTasks_ReturnsOnlyThatTaskInOrder()
    {
        using var a1 = await PostStatusAsync(_standIn, """{"taskInstanceId":"a","status":"InProgress","progressPercentage":10}""");
        using var b1 = await PostStatusAsync(_standIn, """{"taskInstanceId":"b","status":"InProgress","progressPercentage":20}""");
        using var a2 = await PostStatusAsync(_standIn, """{"taskInstanceId":"a","status":"Completed","outputValues":{"statusCode":"201"}}""");

        var statuses = _standIn.StatusesFor("a");

        Assert.Equal(["InProgress", "Completed"], statuses.Select(status => status.Status));
        Assert.Empty(_standIn.StatusesFor("A"));
        Assert.Empty(_standIn.StatusesFor("c"));
    }

    [Fact]
    public async Task CancelTask_CancellationQuery_AnswersIsCancelledForThatTaskOnly()
    {
        _standIn.CancelTask("task-1");

        var cancelled = await GetCancellationAsync("task-1");
        var notCancelled = await GetCancellationAsync("task-2");

        Assert.True(cancelled.GetProperty("isCancelled").GetBoolean());
        Assert.False(notCancelled.GetProperty("isCancelled").GetBoolean());
        Assert.Equal(["/polling/api/Cancelled", "/polling/api/Cancelled"], _standIn.Requests.Select(request => request.Path));
        Assert.Equal(
            ["?catalogTaskDefinitionNamespace=&taskInstanceId=task-1", "?catalogTaskDefinitionNamespace=&taskInstanceId=task-2"],
            _standIn.Requests.Select(request => request.QueryString));
    }

    [Fact]
    public async Task CancellationQuery_WithoutToken_Answers401()
    {
        using var response = await Client.GetAsync(CancelledUri("task-1"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CancellationQuery_IsDown_Answers503()
    {
        _standIn.IsDown = true;
        using var request = new HttpRequestMessage(HttpMethod.Get, CancelledUri("task-1"));
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", ApiKey);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task CancellationQuery_OtherToken_Answers403()
    {
        using var response = await SendCancellationQueryAsync(CancelledUri("task-1"), "bearer another-key");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("The bearer token is not authorized.", await ReadDetailAsync(response));
    }

    [Fact]
    public async Task CancellationQuery_WithoutTaskInstanceId_Answers400()
    {
        using var response = await SendCancellationQueryAsync(
            new Uri(_standIn.BaseUrl, "polling/api/Cancelled?catalogTaskDefinitionNamespace="),
            $"bearer {ApiKey}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The query parameter taskInstanceId is missing or empty.", await ReadDetailAsync(response));
    }

    [Fact]
    public async Task CancellationQuery_Post_Answers405()
    {
        using var response = await Client.PostAsync(CancelledUri("task-1"), new StringContent(""));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(_standIn.CancellationQueries);
    }

    [Fact]
    public async Task ServesCancellationQuery_False_Answers404EvenWithoutTokenAndRecordsThePoll()
    {
        _standIn.ServesCancellationQuery = false;
        _standIn.CancelTask("task-1");

        using var withToken = await SendCancellationQueryAsync(CancelledUri("task-1"), $"bearer {ApiKey}");
        using var withoutToken = await SendCancellationQueryAsync(CancelledUri("task-1"), authorization: null);

        Assert.Equal(HttpStatusCode.NotFound, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withoutToken.StatusCode);
        Assert.Equal(
            "This Scenario stand-in plays a Scenario without the cancellation query (ServesCancellationQuery is false).",
            await ReadDetailAsync(withToken));
        Assert.Equal([404, 404], _standIn.CancellationQueries.Select(query => query.AnsweredStatusCode));
        Assert.All(_standIn.CancellationQueries, query => Assert.Null(query.IsCancelled));
    }

    [Fact]
    public async Task ServesCancellationQuery_BackToTrue_AnswersAgain()
    {
        _standIn.ServesCancellationQuery = false;
        _standIn.ServesCancellationQuery = true;

        var answer = await GetCancellationAsync("task-1");

        Assert.False(answer.GetProperty("isCancelled").GetBoolean());
    }

    [Fact]
    public async Task CancellationQueries_EveryPoll_RecordedWithNamespaceTokenAndAnswer()
    {
        _standIn.CancelTask("task-1");

        using var first = await SendCancellationQueryAsync(CancelledUri("task-1", "Connectors"), $"bearer {ApiKey}");
        using var refused = await SendCancellationQueryAsync(CancelledUri("task-1"), authorization: null);
        using var other = await SendCancellationQueryAsync(
            new Uri(_standIn.BaseUrl, "polling/api/Cancelled?taskInstanceId=task-2"),
            $"bearer {ApiKey}");

        var queries = _standIn.CancellationQueries;
        Assert.Equal(["task-1", "task-1", "task-2"], queries.Select(query => query.TaskInstanceId));
        Assert.Equal(["Connectors", "", null], queries.Select(query => query.CatalogTaskDefinitionNamespace));
        Assert.Equal([200, 401, 200], queries.Select(query => query.AnsweredStatusCode));
        Assert.Equal([true, null, false], queries.Select(query => query.IsCancelled));
        Assert.Equal([$"bearer {ApiKey}", null, $"bearer {ApiKey}"], queries.Select(query => query.Authorization));
        Assert.Equal(2, _standIn.CancellationQueriesFor("task-1").Count);
        Assert.Empty(_standIn.Statuses);
    }

    [Fact]
    public async Task CancellationQueries_IsDown_RecordedWith503()
    {
        _standIn.IsDown = true;

        using var response = await SendCancellationQueryAsync(CancelledUri("task-1"), $"bearer {ApiKey}");

        var query = Assert.Single(_standIn.CancellationQueries);
        Assert.Equal(503, query.AnsweredStatusCode);
        Assert.Null(query.IsCancelled);
    }

    [Fact]
    public async Task CancellationQueries_OtherPathsAndStatuses_NotAmongThem()
    {
        using var status = await PostStatusAsync(_standIn, CompleteHttpBody);
        using var oldPath = await SendCancellationQueryAsync(
            new Uri(_standIn.BaseUrl, "polling/api/task-instances/task-1/cancellation"),
            $"bearer {ApiKey}");

        Assert.Equal(HttpStatusCode.NotFound, oldPath.StatusCode);
        Assert.Empty(_standIn.CancellationQueries);
    }

    [Fact]
    public async Task WaitForCancellationQueriesAsync_PollArrivesLater_ReturnsIt()
    {
        var waiting = _standIn.WaitForCancellationQueriesAsync(
            queries => queries.Any(query => query.TaskInstanceId == "task-9"),
            Patience);

        await GetCancellationAsync("task-9");

        var queries = await waiting;
        Assert.Equal("task-9", Assert.Single(queries).TaskInstanceId);
    }

    [Fact]
    public async Task WaitForCancellationQueriesAsync_NoPoll_TimesOutListingTheRequests()
    {
        var exception = await Assert.ThrowsAsync<TimeoutException>(() =>
            _standIn.WaitForCancellationQueriesAsync(queries => queries.Count > 0, TimeSpan.FromMilliseconds(50)));

        Assert.Equal(
            "Timed out after 0.05 s waiting for cancellation queries that satisfy the predicate. The Scenario stand-in received no request.",
            exception.Message);
    }

    [Fact]
    public async Task Reset_AfterPollsAndNotServed_ForgetsPollsAndServesAgain()
    {
        _standIn.CancelTask("task-1");
        await GetCancellationAsync("task-1");
        _standIn.ServesCancellationQuery = false;

        _standIn.Reset();

        Assert.Empty(_standIn.CancellationQueries);
        Assert.True(_standIn.ServesCancellationQuery);
        Assert.False((await GetCancellationAsync("task-1")).GetProperty("isCancelled").GetBoolean());
    }

    [Fact]
    public async Task ResponseDelay_Set_AnswersNoSoonerThanTheDelay()
    {
        _standIn.ResponseDelay = TimeSpan.FromMilliseconds(300);
        var stopwatch = Stopwatch.StartNew();

        using var response = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        // Timers may fire a tick early; anything near the delay proves the answer waited for it.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(280), $"Answered after {stopwatch.Elapsed}.");
    }

    [Fact]
    public async Task ResponseDelay_SenderGivesUp_RecordedAs499AndNotAccepted()
    {
        _standIn.ResponseDelay = TimeSpan.FromMinutes(5);
        using var giveUp = new CancellationTokenSource();
        var post = PostStatusAsync(_standIn, CompleteHttpBody, cancellationToken: giveUp.Token);
        await _standIn.WaitForRequestsAsync(_ => _standIn.PendingRequestCount == 1, Patience);

        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);

        IReadOnlyList<RecordedRequest> requests = await _standIn.WaitForRequestsAsync(requests => requests.Count == 1, Patience);
        Assert.Equal(RecordedRequest.ClientClosedRequestStatusCode, requests[0].AnsweredStatusCode);
        Assert.Equal(CompleteHttpBody, requests[0].Body);
        Assert.Empty(_standIn.Statuses);
    }

    [Fact]
    public void ResponseDelay_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _standIn.ResponseDelay = TimeSpan.FromSeconds(-1));
    }

    [Fact]
    public async Task OnStatusReceived_AcceptedStatus_IsCalledWithIt()
    {
        using var accepted = await PostStatusAsync(_standIn, CompleteHttpBody);
        using var refused = await PostStatusAsync(_standIn, "{}");

        ReceivedTaskStatus status;
        lock (_callbackStatuses)
        {
            status = Assert.Single(_callbackStatuses);
        }

        Assert.Same(Assert.Single(_standIn.Statuses), status);
    }

    [Fact]
    public async Task OnStatusReceived_Throws_Answers500AndDoesNotAccept()
    {
        _callback = _ => throw new InvalidOperationException("log sink is full");

        using var response = await PostStatusAsync(_standIn, CompleteHttpBody);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("OnStatusReceived threw InvalidOperationException: log sink is full", await ReadDetailAsync(response));
        Assert.Empty(_standIn.Statuses);
        Assert.Equal(500, Assert.Single(_standIn.Requests).AnsweredStatusCode);
    }

    [Fact]
    public async Task Reset_AfterTraffic_ForgetsRequestsFaultsAndCancellations()
    {
        using var before = await PostStatusAsync(_standIn, CompleteHttpBody);
        _standIn.FailNext(5, 503);
        _standIn.FailAll(500);
        _standIn.CancelTask("task-1");
        _standIn.IsDown = true;
        _standIn.ResponseDelay = TimeSpan.FromMinutes(1);

        _standIn.Reset();

        Assert.Empty(_standIn.Requests);
        Assert.Empty(_standIn.Statuses);
        Assert.False(_standIn.IsDown);
        Assert.Equal(TimeSpan.Zero, _standIn.ResponseDelay);
        using var after = await PostStatusAsync(_standIn, CompleteHttpBody);
        Assert.Equal(HttpStatusCode.NoContent, after.StatusCode);
        Assert.False((await GetCancellationAsync("task-1")).GetProperty("isCancelled").GetBoolean());
    }

    [Fact]
    public async Task Requests_ConcurrentPosts_AllRecordedOnce()
    {
        var posts = Enumerable.Range(0, 20)
            .Select(i => PostStatusAsync(_standIn, $$"""{"taskInstanceId":"task-{{i}}","status":"InProgress"}"""))
            .ToArray();

        var responses = await Task.WhenAll(posts);

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.NoContent, response.StatusCode));
        Array.ForEach(responses, response => response.Dispose());
        Assert.Equal(20, _standIn.RequestCount);
        Assert.Equal(
            Enumerable.Range(0, 20).Select(i => $"task-{i}").Order(StringComparer.Ordinal),
            _standIn.Statuses.Select(status => status.TaskInstanceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DisposeAsync_RequestWaitingInResponseDelay_StopsPromptlyAndKeepsRecords()
    {
        var standIn = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { ApiKey = ApiKey });
        standIn.ResponseDelay = TimeSpan.FromMinutes(5);
        var pending = PostStatusAsync(standIn, CompleteHttpBody);
        await standIn.WaitForRequestsAsync(_ => standIn.PendingRequestCount == 1, Patience);

        var disposing = standIn.DisposeAsync().AsTask();

        await disposing.WaitAsync(Patience);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending);
        Assert.Equal(RecordedRequest.ClientClosedRequestStatusCode, Assert.Single(standIn.Requests).AnsweredStatusCode);
        await standIn.DisposeAsync();
    }

    private static async Task<HttpResponseMessage> PostStatusAsync(
        ScenarioStandIn standIn,
        string body,
        string? authorization = "bearer " + ApiKey,
        string contentType = "application/json",
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, standIn.TaskStatusesUrl)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await Client.SendAsync(request, cancellationToken);
    }

    private async Task<JsonElement> GetCancellationAsync(string taskInstanceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, CancelledUri(taskInstanceId));
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", ApiKey);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private Uri CancelledUri(string taskInstanceId, string ns = "") =>
        new(_standIn.BaseUrl, $"polling/api/Cancelled?catalogTaskDefinitionNamespace={Uri.EscapeDataString(ns)}&taskInstanceId={Uri.EscapeDataString(taskInstanceId)}");

    private static async Task<HttpResponseMessage> SendCancellationQueryAsync(Uri uri, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await Client.SendAsync(request);
    }

    private static async Task<string?> ReadDetailAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("detail").GetString();
    }
}
