namespace Allos;

/// <summary>The provider rejected the credentials (a missing, wrong or revoked API key). Not transient.</summary>
public sealed class ProviderAuthenticationException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderAuthenticationException"/> class.</summary>
    public ProviderAuthenticationException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
