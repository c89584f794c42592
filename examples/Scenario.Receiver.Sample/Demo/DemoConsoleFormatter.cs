using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Scenario.Receiver.Sample.Demo;

/// <summary>
/// The demo's console format: ASP.NET Core's simple one (<c>fail: Category[EventId]</c>, the message, the exception),
/// except for the failure the demo causes on purpose (<see cref="OnPurposeFailures"/>), which it writes as one line that
/// says so, without the stack trace: a reader would take a <c>fail:</c> and thirty lines of stack for a crash. Every
/// other warning and error, a real failure of any task included, is written in full.
/// </summary>
public sealed class DemoConsoleFormatter(OnPurposeFailures onPurpose) : ConsoleFormatter(FormatterName)
{
    /// <summary>The name the console logger is given (<c>ConsoleLoggerOptions.FormatterName</c>).</summary>
    public const string FormatterName = "scenario-demo";

    private const string TaskInstanceIdKey = "TaskInstanceId";
    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is { } exception && onPurpose.Contains(TaskInstanceIdOf(logEntry.State)))
        {
            textWriter.WriteLine($"On purpose: {message} ({exception.GetType().Name}: {exception.Message}); logged as {logEntry.LogLevel} {logEntry.EventId.Id}, its stack trace left out of the demo.");
            return;
        }

        textWriter.WriteLine($"{LevelOf(logEntry.LogLevel)}: {logEntry.Category}[{logEntry.EventId.Id}]");
        textWriter.WriteLine(Indent + message.ReplaceLineEndings(Environment.NewLine + Indent));
        if (logEntry.Exception is not null)
        {
            textWriter.WriteLine(Indent + logEntry.Exception.ToString().ReplaceLineEndings(Environment.NewLine + Indent));
        }
    }

    private static string? TaskInstanceIdOf<TState>(TState state)
        => state is IReadOnlyList<KeyValuePair<string, object?>> values
            ? values.FirstOrDefault(value => value.Key == TaskInstanceIdKey).Value as string
            : null;

    private static string LevelOf(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
