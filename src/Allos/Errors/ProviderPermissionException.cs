namespace Allos;

/// <summary>The credentials are valid but not allowed to do this (model access, region, organization). Not transient.</summary>
public sealed class ProviderPermissionException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderPermissionException"/> class.</summary>
    public ProviderPermissionException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
