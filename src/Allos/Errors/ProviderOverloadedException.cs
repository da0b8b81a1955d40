namespace Allos;

/// <summary>The provider is temporarily overloaded (Anthropic 529, HTTP 503, <c>UNAVAILABLE</c>). Transient.</summary>
public sealed class ProviderOverloadedException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderOverloadedException"/> class.</summary>
    public ProviderOverloadedException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
