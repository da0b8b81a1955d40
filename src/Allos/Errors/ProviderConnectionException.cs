namespace Allos;

/// <summary>The connection failed or a stream ended before its terminator, so the answer would be partial. Transient.</summary>
public sealed class ProviderConnectionException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderConnectionException"/> class.</summary>
    public ProviderConnectionException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
