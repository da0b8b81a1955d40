namespace Allos.Gateway;

/// <summary>The outcome of asking a <see cref="DeploymentRateLimiter"/> for room: either a granted slot or a hint of when to try again.</summary>
/// <remarks>
/// A struct so that the uncontended path allocates nothing. A granted ticket identifies its entry in the limiter's window so
/// that <see cref="DeploymentRateLimiter.Reconcile"/> can replace the estimate with the tokens actually used.
/// <see langword="default"/> is a ticket that was not acquired and has no retry hint.
/// </remarks>
internal readonly struct RateLimitTicket
{
    private RateLimitTicket(bool acquired, TimeSpan? retryAfter, int limiterId, long sequence)
    {
        Acquired = acquired;
        RetryAfter = retryAfter;
        LimiterId = limiterId;
        Sequence = sequence;
    }

    /// <summary>Gets a value indicating whether the request permit and the token estimate were both taken.</summary>
    public bool Acquired { get; }

    /// <summary>
    /// Gets, when not acquired, how long until the request could fit given only the requests already admitted: a lower bound,
    /// since callers already waiting go first. <see langword="null"/> when acquired or unknown.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets the id of the limiter that granted this ticket (0 when not acquired).</summary>
    internal int LimiterId { get; }

    /// <summary>Gets the sequence number of the ticket's entry in the limiter's window.</summary>
    internal long Sequence { get; }

    internal static RateLimitTicket Granted(int limiterId, long sequence) => new(true, null, limiterId, sequence);

    internal static RateLimitTicket Rejected(TimeSpan? retryAfter) => new(false, retryAfter, 0, 0);
}
