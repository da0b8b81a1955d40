namespace Allos.Gateway;

/// <summary>What <see cref="RetryOptions.ShouldRetry"/> decides on.</summary>
public sealed class RetryPredicateArguments
{
    internal RetryPredicateArguments(int attemptNumber, Exception exception)
    {
        AttemptNumber = attemptNumber;
        Exception = exception;
    }

    /// <summary>Gets the number of the attempt that failed (0 for the first call).</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets what the attempt failed with.</summary>
    public Exception Exception { get; }
}
