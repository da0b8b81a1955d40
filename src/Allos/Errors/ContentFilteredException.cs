namespace Allos;

/// <summary>The provider's content policy blocked the request. Not transient.</summary>
public sealed class ContentFilteredException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ContentFilteredException"/> class.</summary>
    public ContentFilteredException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
