using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// What a key, a user and a team keep alike in this process: what they spent and hold in reserve, requests in flight,
/// a rate limiter, and the spend not yet written to the store with the one writer that writes it.
/// </summary>
/// <remarks>Every field is read and changed under <see cref="Gate"/>; the rate limiter has its own lock, taken inside it.</remarks>
internal abstract class SpendAccount(decimal spend, DateTimeOffset? resetAt)
{
    public Lock Gate { get; } = new();

    /// <summary>Gets or sets what was spent in the current budget period (the store's figure plus every call settled since).</summary>
    public decimal Spent { get; set; } = spend;

    /// <summary>Gets or sets the estimates held by calls in flight.</summary>
    public decimal Reserved { get; set; }

    public int InFlight { get; set; }

    public DateTimeOffset? ResetAt { get; set; } = resetAt;

    public DeploymentRateLimiter? Limiter { get; private set; }

    /// <summary>Gets or sets a value indicating whether the record was deleted: calls in flight finish, new ones are refused.</summary>
    public bool Deleted { get; set; }

    /// <summary>Gets or sets spend settled but not yet added to the store's figure.</summary>
    public decimal Unsaved { get; set; }

    /// <summary>Gets or sets a budget period the store has not yet been told of: its next reset (or <see langword="null"/> for none).</summary>
    public (DateTimeOffset? NextReset, bool Pending) UnsavedReset { get; set; }

    public bool Saving { get; set; }

    public Task SaveTask { get; set; } = Task.CompletedTask;

    /// <summary>Gets the name errors use: an alias, else an id or abbreviated key; never a key.</summary>
    public abstract string DisplayName { get; }

    /// <summary>Starts (or restarts, or drops) the rate limiter for <paramref name="rpm"/> and <paramref name="tpm"/>; call under <see cref="Gate"/>.</summary>
    protected void SetLimits(int? rpm, int? tpm, TimeProvider time)
    {
        Limiter?.Dispose();
        Limiter = rpm is null && tpm is null ? null : new DeploymentRateLimiter(rpm, tpm, TimeSpan.FromMinutes(1), time);
    }

    /// <summary>Writes the unsaved spend (and a new period, first) until none is left, then calls <paramref name="idle"/>; one writer at a time.</summary>
    /// <remarks>A store that fails keeps the amounts for the next settle to write: the live counters already hold them.</remarks>
    public async Task SaveAsync(IKeyStore store, Action idle)
    {
        await Task.Yield(); // Off the request path (and out of the caller's lock).
        while (true)
        {
            decimal amount;
            (DateTimeOffset? NextReset, bool Pending) reset;
            lock (Gate)
            {
                amount = Unsaved;
                reset = UnsavedReset;
                Unsaved = 0;
                UnsavedReset = default;
                if (amount == 0 && !reset.Pending)
                {
                    Saving = false;
                    idle();
                    return;
                }
            }

            try
            {
                if (reset.Pending)
                {
                    await ResetSpendAsync(store, reset.NextReset).ConfigureAwait(false);
                }

                if (amount != 0)
                {
                    await AddSpendAsync(store, amount).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                lock (Gate)
                {
                    Unsaved += amount;
                    if (reset.Pending && !UnsavedReset.Pending)
                    {
                        UnsavedReset = reset;
                    }

                    Saving = false;
                    idle();
                }

                return;
            }
        }
    }

    /// <summary>Tells the store a new budget period started.</summary>
    protected abstract Task ResetSpendAsync(IKeyStore store, DateTimeOffset? nextReset);

    /// <summary>Adds settled spend to the store's figure.</summary>
    protected abstract Task AddSpendAsync(IKeyStore store, decimal amount);
}
