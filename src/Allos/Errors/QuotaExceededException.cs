namespace Allos;

/// <summary>The account is out of credit or hit a spending cap (OpenAI <c>insufficient_quota</c>, Anthropic <c>billing_error</c>, HTTP 402). Retrying does not help until someone pays or raises the cap.</summary>
public sealed class QuotaExceededException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="QuotaExceededException"/> class.</summary>
    public QuotaExceededException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
