using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Allos.Gateway.Server.Errors;

/// <summary>
/// A failure as the caller will read it: the HTTP status, the kind, a message and a retry hint. Each ingress format (OpenAI,
/// Anthropic) writes it in its own error shape; this type decides the status once for both.
/// </summary>
/// <remarks>
/// Upstream messages are passed on (they say what to fix) but never the upstream's credentials: provider exceptions
/// already carry redacted messages. An exception the gateway does not know becomes a 500 whose message hides its details.
/// </remarks>
internal sealed record GatewayError(int Status, GatewayErrorKind Kind, string Message, TimeSpan? RetryAfter = null, string? Param = null)
{
    /// <summary>Maps an exception from the Router (or the gateway's own checks) to what the caller is told.</summary>
    public static GatewayError From(Exception exception) => exception switch
    {
        BudgetExceededException budget => new(StatusCodes.Status429TooManyRequests, GatewayErrorKind.Budget, budget.Message, UntilReset(budget.Budget.Period, DateTimeOffset.UtcNow)),
        RateLimitException limited => new(StatusCodes.Status429TooManyRequests, GatewayErrorKind.RateLimited, limited.Message, limited.RetryAfter),
        QuotaExceededException quota => new(StatusCodes.Status429TooManyRequests, GatewayErrorKind.RateLimited, quota.Message),
        ContextWindowExceededException window => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, window.Message),
        ContentFilteredException filtered => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, filtered.Message),
        InvalidRequestException invalid => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, invalid.Message),
        FeatureNotSupportedException unsupported => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, unsupported.Message),
        // The caller's key is the gateway's; an upstream that refuses the gateway's own key is the gateway's fault, not the caller's.
        ProviderAuthenticationException upstream => new(StatusCodes.Status502BadGateway, GatewayErrorKind.Upstream, upstream.Message),
        ProviderPermissionException upstream => new(StatusCodes.Status502BadGateway, GatewayErrorKind.Upstream, upstream.Message),
        ProviderNotFoundException notFound => new(StatusCodes.Status404NotFound, GatewayErrorKind.NotFound, notFound.Message),
        ProviderOverloadedException overloaded => new(StatusCodes.Status503ServiceUnavailable, GatewayErrorKind.Overloaded, overloaded.Message),
        ProviderTimeoutException timeout => new(StatusCodes.Status504GatewayTimeout, GatewayErrorKind.Timeout, timeout.Message),
        TimeoutException timeout => new(StatusCodes.Status504GatewayTimeout, GatewayErrorKind.Timeout, timeout.Message),
        ProviderException upstream => new(StatusCodes.Status502BadGateway, GatewayErrorKind.Upstream, upstream.Message),
        // An unknown alias or a model the configuration cannot serve.
        ConfigurationException config => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, config.Message, Param: "model"),
        _ => new(StatusCodes.Status500InternalServerError, GatewayErrorKind.Internal, "The gateway failed to handle the request; its log has the details."),
    };

    /// <summary>How long until a budget's period starts again (UTC), or <see langword="null"/> for a budget that never resets.</summary>
    internal static TimeSpan? UntilReset(BudgetPeriod period, DateTimeOffset now) => period switch
    {
        BudgetPeriod.Day => now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime,
        BudgetPeriod.Month => new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) - now.UtcDateTime,
        _ => null,
    };

    /// <summary>The <c>retry-after</c> header's value (whole seconds, rounded up), or <see langword="null"/> when there is no hint.</summary>
    public string? RetryAfterHeader => RetryAfter is { } wait
        ? Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
        : null;
}
