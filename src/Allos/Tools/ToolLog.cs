using Microsoft.Extensions.Logging;

namespace Allos.Tools;

/// <summary>The tool executor's log lines. Arguments and results are the model's words: Trace only, always redacted.</summary>
internal static partial class ToolLog
{
    [LoggerMessage(EventId = 3001, EventName = "ToolCalled", Level = LogLevel.Debug,
        Message = "Tool '{Tool}' finished: {Outcome} in {DurationMs} ms")]
    public static partial void Called(this ILogger logger, string tool, ToolCallOutcome outcome, double durationMs);

    [LoggerMessage(EventId = 3002, EventName = "ToolArguments", Level = LogLevel.Trace,
        Message = "Tool '{Tool}' arguments: {Arguments}")]
    public static partial void Arguments(this ILogger logger, string tool, string arguments);

    [LoggerMessage(EventId = 3003, EventName = "ToolResult", Level = LogLevel.Trace,
        Message = "Tool '{Tool}' result: {Result}")]
    public static partial void Result(this ILogger logger, string tool, string result);
}
