namespace Allos.Storage.Limits;

/// <summary>
/// What <see cref="ISharedLimits.ReserveAsync(IReadOnlyList{LimitAccount}, decimal, long, int, CancellationToken)"/> did: a reservation (<see cref="Lease"/>), or the account and limit that
/// refused it with the figures a message needs, as the database held them at that moment.
/// </summary>
internal sealed record LimitOutcome
{
    /// <summary>Gets the reservation to settle, or <see langword="null"/> when refused.</summary>
    public Guid? Lease { get; init; }

    /// <summary>Gets the position in the accounts passed of the one that refused, or -1.</summary>
    public int Account { get; init; } = -1;

    public LimitRefusal Refusal { get; init; }

    public int InFlight { get; init; }

    public decimal Spent { get; init; }

    public decimal Reserved { get; init; }

    /// <summary>Gets when the refusing account's budget period ends, if it has one.</summary>
    public DateTimeOffset? ResetAt { get; init; }

    /// <summary>Gets how long until the request could fit, when that is known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static LimitOutcome Admitted(Guid lease) => new() { Lease = lease };
}
