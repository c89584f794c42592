using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Reporting;

/// <summary>Results Scenario cannot take become a clear Error, not a crash loop.</summary>
public abstract class EndpointOutcomeMapperTests(TaskStoreUnderTest store) : HostedTaskWorkTest(store)
{
    private async Task<ReceivedTaskStatus> RunAsync(string path)
    {
        var call = await Host.RestCall.PostAsync(path, null);
        var status = await Scenario.WaitForTerminalStatusAsync(call.TaskInstanceId, Await.DefaultTimeout);
        Assert.Single(Scenario.StatusesFor(call.TaskInstanceId));
        Assert.Equal(1, Host.Probe.CountFor(call.TaskInstanceId));
        return status;
    }

    [Fact]
    public async Task ResultLargerThanTheOutputCap_ReportsErrorSayingSo()
    {
        var status = await RunAsync("/tasks/huge");

        Assert.Equal("Error", status.Status);
        Assert.Equal("500", status.OutputValues["statusCode"]);
        Assert.StartsWith("The endpoint's result is 200", status.Message, StringComparison.Ordinal);
        Assert.EndsWith("bytes of outputValues, over the 65536-byte limit (Scenario:MaxOutputValuesBytes). Return a smaller result, e.g. a reference to the data.", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultThatCannotBeSerialized_ReportsErrorSayingSo()
    {
        var status = await RunAsync("/tasks/cyclic");

        Assert.Equal("Error", status.Status);
        Assert.StartsWith("The endpoint's result could not be serialized into outputValues: A possible object cycle was detected.", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VeryLongExceptionMessage_IsCutToMaxMessageLength()
    {
        var status = await RunAsync("/tasks/long-message");

        Assert.Equal(ScenarioReceiverOptions.DefaultMaxMessageLength, status.Message!.Length);
        Assert.StartsWith("InvalidOperationException: mmm", status.Message, StringComparison.Ordinal);
        Assert.EndsWith("m…", status.Message, StringComparison.Ordinal);
    }
}

[Trait(TaskStoreUnderTest.Trait, "InMemory")]
public sealed class EndpointOutcomeMapperTests_InMemoryStore() : EndpointOutcomeMapperTests(TaskStoreUnderTest.InMemory);

[Trait(TaskStoreUnderTest.Trait, "PostgreSql")]
public sealed class EndpointOutcomeMapperTests_PostgreSqlStore() : EndpointOutcomeMapperTests(TaskStoreUnderTest.PostgreSql);

[Trait(TaskStoreUnderTest.Trait, "Hangfire")]
public sealed class EndpointOutcomeMapperTests_HangfireStore() : EndpointOutcomeMapperTests(TaskStoreUnderTest.Hangfire);
