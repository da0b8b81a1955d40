using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Logging;

/// <summary>One captured log line: its rendered message and its structured fields.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, string EventName, string Message, IReadOnlyDictionary<string, object?> Fields)
{
    /// <summary>The line as a reader could see it anywhere: the message and every field's value.</summary>
    public string AllText => Message + " " + string.Join(" ", Fields.Values.Select(value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>Keeps every log line written through it, for assertions.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>A logger factory that sends lines at <paramref name="minimum"/> and above to a new provider.</summary>
    public static ILoggerFactory CreateFactory(out CapturingLoggerProvider provider, LogLevel minimum = LogLevel.Trace)
    {
        var capturing = new CapturingLoggerProvider();
        provider = capturing;
        return LoggerFactory.Create(builder => builder.SetMinimumLevel(minimum).AddProvider(capturing));
    }

    public IReadOnlyList<LogEntry> Named(string eventName) => [.. _entries.Where(entry => entry.EventName == eventName)];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach ((string key, object? value) in pairs)
                {
                    fields[key] = value;
                }
            }

            entries.Enqueue(new LogEntry(category, logLevel, eventId.Name ?? "", formatter(state, exception), fields));
        }
    }
}
