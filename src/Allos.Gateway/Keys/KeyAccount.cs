using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// One virtual key's live state in this process: its record, what it spent and holds in reserve, its requests in flight,
/// its rate limiter, and the spend not yet written to the store.
/// </summary>
/// <remarks>Every field is read and changed under <see cref="SpendAccount.Gate"/>; the rate limiter has its own lock, taken inside it.</remarks>
internal sealed class KeyAccount(VirtualKey record) : SpendAccount(record.Spend, record.BudgetResetAt)
{
    public VirtualKey Record { get; private set; } = record;

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
            SetLimits(changed.RpmLimit, changed.TpmLimit, time);
        }
    }

    /// <summary>Creates the rate limiter of a freshly loaded record.</summary>
    public KeyAccount Start(TimeProvider time)
    {
        SetLimits(Record.RpmLimit, Record.TpmLimit, time);
        return this;
    }

    /// <summary>The name errors use for the key: its alias, else its abbreviated form; never the key.</summary>
    public override string DisplayName => Record.Alias ?? Record.KeyName ?? "(unnamed key)";

    protected override Task ResetSpendAsync(IKeyStore store, DateTimeOffset? nextReset) => store.ResetSpendAsync(Record.Hash, nextReset, CancellationToken.None);

    protected override Task AddSpendAsync(IKeyStore store, decimal amount) => store.AddSpendAsync(Record.Hash, amount, CancellationToken.None);
}
