using Microsoft.Extensions.Logging;

namespace Allos.Gateway;

/// <summary>The Router's log lines: what a user debugging a slow or failed request needs, and never a prompt or a key.</summary>
internal static partial class RouterLog
{
    [LoggerMessage(EventId = 1001, EventName = "RouterRetry", Level = LogLevel.Warning,
        Message = "Retrying '{Alias}' on deployment '{Deployment}' (retry {Attempt}) in {DelayMs} ms after {ErrorType}")]
    public static partial void Retry(this ILogger logger, string alias, string deployment, int attempt, double delayMs, string errorType);

    [LoggerMessage(EventId = 1002, EventName = "RouterFallback", Level = LogLevel.Warning,
        Message = "Falling back from '{Alias}' to '{Fallback}' after a {FailureKind} failure")]
    public static partial void Fallback(this ILogger logger, string alias, string fallback, FailureKind failureKind);

    [LoggerMessage(EventId = 1003, EventName = "RouterCooldown", Level = LogLevel.Warning,
        Message = "Deployment '{Deployment}' of '{Alias}' is cooling down for {CooldownSeconds} s after {ErrorType}")]
    public static partial void Cooldown(this ILogger logger, string deployment, string alias, double cooldownSeconds, string errorType);

    [LoggerMessage(EventId = 1004, EventName = "RouterBudgetRefused", Level = LogLevel.Warning,
        Message = "Refused a request to '{Alias}': the {Scope} {Period} budget of {Limit} USD has {Remaining} USD left (estimated cost {EstimatedCost} USD)")]
    public static partial void BudgetRefused(this ILogger logger, string alias, BudgetScope scope, BudgetPeriod period, decimal limit, decimal remaining, decimal? estimatedCost);
}
