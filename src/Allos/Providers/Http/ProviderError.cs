namespace Allos.Providers.Http;

/// <summary>A provider failure as a codec understood it, before it becomes an exception.</summary>
/// <param name="Kind">The normalized kind.</param>
/// <param name="Message">The provider's message (never contains our credentials).</param>
/// <param name="Code">The provider's error type or code.</param>
/// <param name="RetryAfter">A retry hint found in the body (Gemini's <c>RetryInfo</c>).</param>
/// <param name="RequestId">A request id found in the body (Anthropic's <c>request_id</c>); a response header wins over it.</param>
internal readonly record struct ProviderError(ErrorKind Kind, string Message, string? Code = null, TimeSpan? RetryAfter = null, string? RequestId = null)
{
    /// <summary>The kind implied by an HTTP status code alone; codecs refine it with the body.</summary>
    public static ErrorKind KindFromStatus(int status) => status switch
    {
        401 => ErrorKind.Authentication,
        402 => ErrorKind.Quota,
        403 => ErrorKind.Permission,
        404 => ErrorKind.NotFound,
        408 or 504 => ErrorKind.Timeout,
        429 => ErrorKind.RateLimited,
        503 or 529 => ErrorKind.Overloaded,
        >= 500 => ErrorKind.Server,
        _ => ErrorKind.InvalidRequest,
    };

    /// <summary>Builds the exception for this error.</summary>
    public ProviderException ToException(string provider, int? status, TimeSpan? headerRetryAfter, string? requestId, Exception? inner = null)
    {
        string text = status is int s
            ? $"{provider} returned HTTP {s}{(Code is null ? "" : $" ({Code})")}: {Message}"
            : $"{provider} reported an error{(Code is null ? "" : $" ({Code})")}: {Message}";
        return Kind switch
        {
            ErrorKind.Authentication => new ProviderAuthenticationException(provider, text, status, Code, requestId, inner),
            ErrorKind.Permission => new ProviderPermissionException(provider, text, status, Code, requestId, inner),
            ErrorKind.NotFound => new ProviderNotFoundException(provider, text, status, Code, requestId, inner),
            ErrorKind.RateLimited => new RateLimitException(provider, text, headerRetryAfter ?? RetryAfter, status, Code, requestId, inner),
            ErrorKind.Quota => new QuotaExceededException(provider, text, status, Code, requestId, inner),
            ErrorKind.Overloaded => new ProviderOverloadedException(provider, text, status, Code, requestId, inner),
            ErrorKind.Server => new ProviderServerException(provider, text, status, Code, requestId, inner),
            ErrorKind.Timeout => new ProviderTimeoutException(provider, text, status, Code, requestId, inner),
            ErrorKind.Connection => new ProviderConnectionException(provider, text, status, Code, requestId, inner),
            ErrorKind.ContextWindow => new ContextWindowExceededException(provider, text, status, Code, requestId, inner),
            ErrorKind.ContentFilter => new ContentFilteredException(provider, text, status, Code, requestId, inner),
            _ => new InvalidRequestException(provider, text, status, Code, requestId, inner),
        };
    }

    /// <summary>Recognizes the context-overflow wordings of the providers and the common OpenAI-compatible servers.</summary>
    public static bool LooksLikeContextOverflow(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        return message.Contains("context_length_exceeded", StringComparison.OrdinalIgnoreCase)
            || message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context length is only", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context window", StringComparison.OrdinalIgnoreCase)
            || message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
            || message.Contains("exceeds the maximum number of tokens", StringComparison.OrdinalIgnoreCase)
            || message.Contains("exceeds maximum context length", StringComparison.OrdinalIgnoreCase)
            || message.Contains("input length exceeds the context length", StringComparison.OrdinalIgnoreCase)
            || message.Contains("must be less than the context length", StringComparison.OrdinalIgnoreCase);
    }
}
