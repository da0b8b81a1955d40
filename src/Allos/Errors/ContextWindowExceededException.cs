namespace Allos;

/// <summary>The request does not fit in the model's context window. Not transient: shorten the history or use a model with a larger window.</summary>
public sealed class ContextWindowExceededException : ProviderException
{
    /// <summary>Initializes a new instance of the <see cref="ContextWindowExceededException"/> class.</summary>
    public ContextWindowExceededException(string provider, string message, int? statusCode = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(provider, message, statusCode, errorCode, requestId, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
