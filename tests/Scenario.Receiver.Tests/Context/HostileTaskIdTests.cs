using System.Net;
using Microsoft.AspNetCore.TestHost;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Controllers;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Context;

public sealed class HostileTaskIdFixture : IAsyncLifetime
{
    public ScenarioStandIn Scenario { get; private set; } = null!;

    public ReceiverTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Scenario = await ScenarioStandIn.StartAsync();
        Host = await ReceiverTestHost.StartAsync(TaskStoreUnderTest.AsConfigured, Scenario, [typeof(TaskWorkController)]);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Scenario.DisposeAsync();
    }
}

/// <summary>Task ids from a hostile or broken caller: each is turned away with 400 and nothing is enqueued.</summary>
public sealed class HostileTaskIdTests(HostileTaskIdFixture fixture) : IClassFixture<HostileTaskIdFixture>
{
    private const string Valid = "364e21c2-25bf-497d-9583-3d359e7cbf91";

    public static TheoryData<string> MalformedTaskIds => new()
    {
        string.Empty,
        " ",
        "   ",
        "not-a-guid",
        "364e21c2",
        "364e21c2-25bf-497d-9583",
        "364e21c2-25bf-497d-9583-3d359e7cbf9",
        "364e21c2-25bf-497d-9583-3d359e7cbf911",
        "364e21c2-25bf-497d-9583-3d359e7cbf9g",
        "364e21c2-25bf-497d-9583_3d359e7cbf91",
        "364e21c225bf497d95833d359e7cbf91",
        "{364e21c2-25bf-497d-9583-3d359e7cbf91}",
        "(364e21c2-25bf-497d-9583-3d359e7cbf91)",
        "{0x364e21c2,0x25bf,0x497d,{0x95,0x83,0x3d,0x35,0x9e,0x7c,0xbf,0x91}}",
        "00000000-0000-0000-0000-000000000000",
        "364e21c2–25bf–497d–9583–3d359e7cbf91",
        "３６４e21c2-25bf-497d-9583-3d359e7cbf91",
        Valid + "," + Valid,
        Valid + ";rm -rf /",
        Valid + "\u0000",
        "364e21c2-25bf-497d-9583-3d359e7cbf9\u0001",
        "364e21c2-25bf-497d-\u00079583-3d359e7cbf91",
        "'; DROP TABLE hangfire.job; --",
        "../../../etc/passwd",
        "<script>alert(1)</script>",
        "${jndi:ldap://127.0.0.1/a}",
        "%7B364e21c2-25bf-497d-9583-3d359e7cbf91%7D",
        "scenario:task:" + Valid,
        new string('a', 10 * 1024),
        Valid + new string(' ', 10 * 1024) + "x",
        "null",
        "undefined",
    };

    [Theory]
    [MemberData(nameof(MalformedTaskIds))]
    public async Task RestCall_WithMalformedTaskId_Answers400ProblemAndEnqueuesNothing(string taskId)
    {
        // Straight into the server, past HttpClient's header checks, as a raw socket could send it.
        var context = await fixture.Host.App.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = "/tasks/ok";
            c.Request.Headers[ScenarioHeaderNames.TaskInstanceId] = taskId;
            c.Request.ContentType = "application/json";
            c.Request.Body = new MemoryStream("{\"portfolio\":\"EQ-1\"}"u8.ToArray());
        });

        Assert.Equal(StatusCodes(HttpStatusCode.BadRequest), context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Host.Storage.TotalJobs());
        Assert.Empty(fixture.Host.Probe.Invocations);
    }

    [Fact]
    public async Task RestCall_WithTwoTaskIdValues_Answers400AndEnqueuesNothing()
    {
        var context = await fixture.Host.App.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = "/tasks/ok";
            c.Request.Headers[ScenarioHeaderNames.TaskInstanceId] = new[] { Valid, "5d2a7c7e-4b0a-4a43-9b8e-7a3f1c2d9e10" };
            c.Request.ContentType = "application/json";
            c.Request.Body = new MemoryStream("{\"portfolio\":\"EQ-1\"}"u8.ToArray());
        });

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(0, fixture.Host.Storage.TotalJobs());
    }

    [Fact]
    public void MalformedTaskIds_AreAtLeastThirty() => Assert.True(MalformedTaskIds.Count >= 30);

    private static int StatusCodes(HttpStatusCode code) => (int)code;
}
