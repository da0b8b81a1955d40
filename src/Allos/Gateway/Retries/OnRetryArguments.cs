namespace Allos.Gateway;

/// <summary>What <see cref="RetryOptions.OnRetry"/> is told before a retry.</summary>
public sealed class OnRetryArguments
{
    internal OnRetryArguments(int attemptNumber, Exception exception, TimeSpan delay, CancellationToken cancellationToken)
    {
        AttemptNumber = attemptNumber;
        Exception = exception;
        Delay = delay;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the number of the attempt that failed (0 for the first call); the retry is attempt <c>AttemptNumber + 1</c>.</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets what the attempt failed with.</summary>
    public Exception Exception { get; }

    /// <summary>Gets how long the layer waits before the retry.</summary>
    public TimeSpan Delay { get; }

    /// <summary>Gets the call's cancellation token.</summary>
    public CancellationToken CancellationToken { get; }
}
