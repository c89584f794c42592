using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scenario.Receiver.Sample.Demo;

namespace Scenario.Receiver.Tests.Sample;

/// <summary>
/// The demo's console format keeps the stack trace of the failure it causes on purpose out of the way, and only that
/// one: a real failure, of another task or with no task, is written in full.
/// </summary>
public sealed class DemoConsoleFormatterTests
{
    private const string Category = "Scenario.Receiver.Work.WorkRunner";
    private const string OnPurposeTask = "4f2b501d-fd6a-49b4-a840-f49d87e4cb5c";
    private const string OtherTask = "081ecafc-0ed4-4c87-87d6-836e53066934";

    [Fact]
    public void Write_FailureOfTheTaskThatFailsOnPurpose_OneLineSayingSoWithoutTheStackTrace()
    {
        var written = Write(OnPurposeTask, Thrown("Pricing engine rejected portfolio EQ-2"));

        Assert.Equal(
            $"On purpose: Work for Scenario task {OnPurposeTask} failed on attempt 1 (InvalidOperationException: Pricing engine rejected portfolio EQ-2); logged as Error 1203, its stack trace left out of the demo.{Environment.NewLine}",
            written);
    }

    [Fact]
    public void Write_FailureOfAnotherTask_FailLineMessageAndStackTrace()
    {
        var exception = Thrown("The database is gone");

        var lines = Write(OtherTask, exception).Split(Environment.NewLine);

        Assert.Equal($"fail: {Category}[1203]", lines[0]);
        Assert.Equal($"      Work for Scenario task {OtherTask} failed on attempt 1", lines[1]);
        Assert.Equal("      System.InvalidOperationException: The database is gone", lines[2]);
        Assert.StartsWith($"         at {typeof(DemoConsoleFormatterTests).FullName}.{nameof(Thrown)}(", lines[3], StringComparison.Ordinal);
    }

    private static string Write(string taskInstanceId, Exception exception)
    {
        var onPurpose = new OnPurposeFailures();
        onPurpose.Add(OnPurposeTask);
        var formatter = new DemoConsoleFormatter(onPurpose);
        IReadOnlyList<KeyValuePair<string, object?>> state =
        [
            new("TaskInstanceId", taskInstanceId),
            new("Attempt", 1),
            new("{OriginalFormat}", "Work for Scenario task {TaskInstanceId} failed on attempt {Attempt}"),
        ];
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(
            LogLevel.Error,
            Category,
            new EventId(1203),
            state,
            exception,
            (_, _) => $"Work for Scenario task {taskInstanceId} failed on attempt 1");
        using var writer = new StringWriter();
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    private static InvalidOperationException Thrown(string message)
    {
        try
        {
            throw new InvalidOperationException(message);
        }
        catch (InvalidOperationException exception)
        {
            return exception;
        }
    }
}
