namespace Allos;

/// <summary>The provider rejected the request as malformed or unsupported (HTTP 400/422). Not transient.</summary>
public sealed class InvalidRequestException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidRequestException"/> class.</summary>
    public InvalidRequestException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
