using Microsoft.Extensions.Logging;

namespace Allos.Context;

/// <summary>The context window's log lines: figures and error kinds only, never message text.</summary>
internal static partial class ContextLog
{
    [LoggerMessage(EventId = 4001, EventName = "ExactTokenCountUsed", Level = LogLevel.Debug,
        Message = "Near the context trigger: the provider counted {Exact} input tokens (estimated {Estimate}); the policy decides by the count")]
    public static partial void ExactCountUsed(this ILogger logger, long estimate, long exact);

    [LoggerMessage(EventId = 4002, EventName = "ExactTokenCountFailed", Level = LogLevel.Warning,
        Message = "Near the context trigger the exact token count failed ({Reason}); the policy decides by the estimate of {Estimate} tokens")]
    public static partial void ExactCountFailed(this ILogger logger, long estimate, string reason);
}
