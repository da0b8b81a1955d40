namespace Allos;

/// <summary>A failure reported by, or on the way to, a model provider, normalized from its status code, headers and body.</summary>
public class ProviderException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderException"/> class.</summary>
    public ProviderException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    /// <summary>Gets the provider name, as in model ids (<c>openai</c>, <c>anthropic</c>, <c>gemini</c>, …).</summary>
    public string Provider { get; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when the failure came before a response or inside a stream.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the provider's own error type or code (<c>rate_limit_error</c>, <c>context_length_exceeded</c>, <c>RESOURCE_EXHAUSTED</c>, …).</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets the provider's request id, when it sent one; quote it when asking the provider for support.</summary>
    public string? RequestId { get; }
}
