namespace Allos;

/// <summary>The provider throttled the request (HTTP 429). Transient; <see cref="RetryAfter"/> says how long to wait when the provider said so.</summary>
public sealed class RateLimitException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="RateLimitException"/> class.</summary>
    public RateLimitException(string provider, string message, TimeSpan? retryAfter, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>
    /// Gets how long the provider asked to wait, from <c>retry-after-ms</c>, <c>retry-after</c> (seconds or an HTTP date),
    /// the provider's reset headers, or Gemini's <c>RetryInfo</c>; <see langword="null"/> when it gave no hint.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
