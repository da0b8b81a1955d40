namespace Allos;

/// <summary>The provider failed with a server error (HTTP 5xx or an error event inside a stream). Transient.</summary>
public sealed class ProviderServerException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderServerException"/> class.</summary>
    public ProviderServerException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
