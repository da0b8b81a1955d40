namespace Allos;

/// <summary>
/// The provider (or a proxy in front of it) answered with something that is not a response of its API: a body of the
/// wrong shape (<c>{}</c>, an HTML page), unreadable JSON, values out of range, or a redirect Allos would not follow.
/// Not transient: the same endpoint is likely to answer the same way, so the Router tries another deployment instead.
/// </summary>
public sealed class InvalidResponseException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidResponseException"/> class.</summary>
    public InvalidResponseException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }
}
