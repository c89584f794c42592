using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>Captures every log line of a test host at every level, with its state, scopes and exception text.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLogLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLogLine> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>Everything a log sink could have written: messages, structured values, scopes, exceptions.</summary>
    public string AllText() => string.Join('\n', Lines.Select(l => l.FullText));

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<object?>();
            owner._scopes.ForEachScope((scope, list) => list.Add(scope), scopes);
            var values = state as IEnumerable<KeyValuePair<string, object?>>;
            var scopeValues = scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().SelectMany(s => s).ToList();
            owner._lines.Enqueue(new CapturedLogLine(
                category,
                logLevel,
                eventId.Id,
                formatter(state, exception),
                values?.ToDictionary(v => v.Key, v => v.Value) ?? [],
                scopeValues,
                string.Join(" | ", scopes.Select(s => s?.ToString())),
                exception?.ToString()));
        }
    }
}

public sealed record CapturedLogLine(
    string Category,
    LogLevel Level,
    int EventId,
    string Message,
    IReadOnlyDictionary<string, object?> Values,
    IReadOnlyList<KeyValuePair<string, object?>> ScopeValues,
    string Scopes,
    string? Exception)
{
    public string FullText => $"{Category} {Level} {EventId} {Message} {string.Join(",", Values.Select(v => $"{v.Key}={v.Value}"))} {Scopes} {Exception}";
}
