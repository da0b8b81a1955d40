namespace Allos;

/// <summary>The root of every exception Allos throws on purpose.</summary>
/// <remarks>
/// Code that decides whether to retry (the Router, a user's own loop) should look at <see cref="IsTransient"/>
/// and at the exception type, never at the message text. The message never shows a secret the process knows
/// (<see cref="Security.SecretRedactor"/>), whatever a provider's error body or a tool echoed into it.
/// </remarks>
public class AllosException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="AllosException"/> class.</summary>
    public AllosException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc/>
    public override string Message => Security.SecretRedactor.Redact(base.Message);

    /// <summary>Gets a value indicating whether the same request may succeed if it is sent again later.</summary>
    public virtual bool IsTransient => false;
}
