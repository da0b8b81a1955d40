using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// One virtual key's live state in this process: its record, what it spent and holds in reserve, its requests in flight,
/// its rate limiter, and the spend not yet written to the store.
/// </summary>
/// <remarks>Every field is read and changed under <see cref="Gate"/>; the rate limiter has its own lock, taken inside it.</remarks>
internal sealed class KeyAccount(VirtualKey record)
{
    public Lock Gate { get; } = new();

    public VirtualKey Record { get; private set; } = record;

    /// <summary>Gets or sets what the key spent in the current budget period (the store's figure plus every call settled since).</summary>
    public decimal Spent { get; set; } = record.Spend;

    /// <summary>Gets or sets the estimates held by calls in flight.</summary>
    public decimal Reserved { get; set; }

    public int InFlight { get; set; }

    public DateTimeOffset? ResetAt { get; set; } = record.BudgetResetAt;

    public DeploymentRateLimiter? Limiter { get; private set; }

    /// <summary>Gets or sets a value indicating whether the key was deleted: calls in flight finish, new ones are refused.</summary>
    public bool Deleted { get; set; }

    /// <summary>Gets or sets spend settled but not yet added to the store's figure.</summary>
    public decimal Unsaved { get; set; }

    /// <summary>Gets or sets a budget period the store has not yet been told of: its next reset (or <see langword="null"/> for none).</summary>
    public (DateTimeOffset? NextReset, bool Pending) UnsavedReset { get; set; }

    public bool Saving { get; set; }

    public Task SaveTask { get; set; } = Task.CompletedTask;

    /// <summary>Takes a changed record (from <c>/key/update</c>): spend and reservations carry on, the rate limiter restarts if its limits changed.</summary>
    public void Apply(VirtualKey changed, TimeProvider time)
    {
        VirtualKey previous = Record;
        Record = changed;
        if (changed.BudgetResetAt != previous.BudgetResetAt)
        {
            ResetAt = changed.BudgetResetAt;
        }

        if (Limiter is null ? changed.RpmLimit is not null || changed.TpmLimit is not null : changed.RpmLimit != previous.RpmLimit || changed.TpmLimit != previous.TpmLimit)
        {
            Limiter?.Dispose();
            Limiter = changed.RpmLimit is null && changed.TpmLimit is null ? null : new DeploymentRateLimiter(changed.RpmLimit, changed.TpmLimit, TimeSpan.FromMinutes(1), time);
        }
    }

    /// <summary>Creates the rate limiter of a freshly loaded record.</summary>
    public KeyAccount Start(TimeProvider time)
    {
        if (Record.RpmLimit is not null || Record.TpmLimit is not null)
        {
            Limiter = new DeploymentRateLimiter(Record.RpmLimit, Record.TpmLimit, TimeSpan.FromMinutes(1), time);
        }

        return this;
    }

    /// <summary>The name errors use for the key: its alias, else its abbreviated form; never the key.</summary>
    public string DisplayName => Record.Alias ?? Record.KeyName ?? "(unnamed key)";
}
