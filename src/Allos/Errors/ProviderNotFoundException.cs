namespace Allos;

/// <summary>The model, deployment or endpoint does not exist at the provider. Not transient.</summary>
public sealed class ProviderNotFoundException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderNotFoundException"/> class.</summary>
    public ProviderNotFoundException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
