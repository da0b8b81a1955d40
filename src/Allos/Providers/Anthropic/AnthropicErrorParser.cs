using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Providers.Anthropic;

/// <summary>Reads Anthropic error bodies, <c>{"type":"error","error":{"type":…,"message":…},"request_id":…}</c>, and stream error events.</summary>
internal static class AnthropicErrorParser
{
    /// <summary>Parses an HTTP error body.</summary>
    public static ProviderError Parse(int status, string body)
    {
        AnthropicResponse? parsed = JsonSerializer.Deserialize(body, AnthropicJsonContext.Default.AnthropicResponse);
        if (parsed?.Error is not { } error)
        {
            return new ProviderError(ProviderError.KindFromStatus(status), ProviderTransport.Shorten(body), RequestId: parsed?.RequestId);
        }

        return FromError(error, status) with { RequestId = parsed.RequestId };
    }

    /// <summary>Classifies an <c>error</c> object; <paramref name="status"/> is <see langword="null"/> inside a stream.</summary>
    public static ProviderError FromError(AnthropicError error, int? status)
    {
        string message = error.Message ?? "";
        ErrorKind kind = error.Type switch
        {
            "invalid_request_error" or "request_too_large" => ErrorKind.InvalidRequest,
            "authentication_error" => ErrorKind.Authentication,
            "permission_error" => ErrorKind.Permission,
            "not_found_error" => ErrorKind.NotFound,
            "rate_limit_error" => ErrorKind.RateLimited,
            "billing_error" => ErrorKind.Quota,
            "overloaded_error" => ErrorKind.Overloaded,
            "api_error" => ErrorKind.Server,
            "timeout_error" => ErrorKind.Timeout,

            // Inside a stream there is no status; an error naming nothing better is the server failing.
            _ => status is int s ? ProviderError.KindFromStatus(s) : ErrorKind.Server,
        };

        if (kind == ErrorKind.InvalidRequest
            && (message.StartsWith("prompt is too long", StringComparison.OrdinalIgnoreCase) || ProviderError.LooksLikeContextOverflow(message)))
        {
            kind = ErrorKind.ContextWindow;
        }

        // A monthly spend cap arrives as a 429 but will not clear by waiting: it must not be retried like a rate limit.
        if (error.Details.ValueKind == JsonValueKind.Object
            && error.Details.TryGetProperty("error_code", out JsonElement code)
            && code.ValueKind == JsonValueKind.String
            && code.ValueEquals("enforced_spend_limit_reached"))
        {
            kind = ErrorKind.Quota;
        }

        return new ProviderError(kind, message, error.Type);
    }
}
