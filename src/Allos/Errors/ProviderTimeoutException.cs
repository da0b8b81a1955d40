namespace Allos;

/// <summary>The request took longer than the configured timeout, or the provider reported a timeout. Transient.</summary>
public sealed class ProviderTimeoutException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderTimeoutException"/> class.</summary>
    public ProviderTimeoutException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
