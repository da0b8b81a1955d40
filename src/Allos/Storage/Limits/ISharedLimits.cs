namespace Allos.Storage.Limits;

/// <summary>
/// The live counters every gateway instance on one database shares: the budgets, requests in flight and requests and
/// tokens per minute of keys, users and teams. Checking and reserving is one atomic step across all the accounts a
/// request counts against, so several instances enforce one limit, not one each.
/// </summary>
/// <remarks>
/// The limits themselves (max budget, rpm, tpm, max parallel requests, budget period) are read from the accounts' stored
/// records inside that step, so a change made through any instance binds the next reservation everywhere. Thread-safe.
/// </remarks>
internal interface ISharedLimits : IAsyncDisposable
{
    /// <summary>
    /// Checks every account's limits and, only when all pass, reserves on each of them one request in flight,
    /// <paramref name="amount"/> US dollars of budget and <paramref name="tokens"/> tokens in the minute's window.
    /// </summary>
    /// <param name="accounts">The accounts in lock order: team, then user, then key (every caller uses the same order).</param>
    /// <param name="amount">The call's estimated maximum cost; 0 when it has no known price.</param>
    /// <param name="tokens">The call's estimated input and output tokens.</param>
    /// <param name="cancellationToken">Cancels the reservation; nothing is reserved then.</param>
    /// <exception cref="StoreUnavailableException">The database cannot be reached; nothing was reserved.</exception>
    ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ReserveAsync(IReadOnlyList{LimitAccount}, decimal, long, CancellationToken)"/>, for a block of
    /// <paramref name="requests"/> calls at once: that many requests in flight and in the window, with
    /// <paramref name="amount"/> and <paramref name="tokens"/> the block's totals. Refused unless the whole block fits.
    /// </summary>
    ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, int requests, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a reservation: gives back its request and budget, charges <paramref name="actual"/> to every account it held,
    /// and corrects its window's tokens to <paramref name="tokens"/>. Returns at once: the write happens off the request
    /// path and is retried until the database takes it.
    /// </summary>
    void Settle(Guid lease, decimal actual, long tokens);

    /// <summary>
    /// Ends a block's reservation: as <see cref="Settle(Guid, decimal, long)"/> with its totals, where
    /// <paramref name="calls"/> of its requests were admitted; the others leave the rate window.
    /// </summary>
    void Settle(Guid lease, decimal actual, long tokens, int calls);

    /// <summary>Gets a value indicating whether settles are queued that the database has not taken yet.</summary>
    bool SettlesPending { get; }

    /// <summary>Waits until the settles queued so far are written (for shutdown and tests); while the database is unreachable, that is when it returns.</summary>
    Task FlushAsync();
}
